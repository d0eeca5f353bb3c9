"""`python -m spacecheck ...`: runs the spacecheck binary installed with the package."""

import sys

from spacecheck import main

if __name__ == "__main__":
    sys.exit(main())
