"""A sequential grader with the real Python client, for the grading benchmark: for each of N
Spaces, what `spacecheck grade` checks over the network (info with runtime, the files the rules
read, the app URL), one request after the other. Usage: sequential_grader.py N (HF_ENDPOINT set).
"""

import sys
import urllib.request

from huggingface_hub import HfApi, hf_hub_download

FILES = [".gitattributes", "Dockerfile", "README.md", "main.py", "requirements.txt"]


def check(api: HfApi, space: str) -> bool:
    info = api.space_info(space)
    ok = info.sdk == "docker" and not info.private and info.runtime is not None and info.runtime.hardware == "cpu-basic"
    for name in FILES:
        if name in [s.rfilename for s in info.siblings]:
            hf_hub_download(space, name, repo_type="space", force_download=True)
    with urllib.request.urlopen(info.host + "/", timeout=10) as r:
        ok = ok and r.status == 200
    return ok


def main() -> None:
    n = int(sys.argv[1])
    api = HfApi()
    results = [check(api, "acme/compliant") for _ in range(n)]
    assert all(results)


if __name__ == "__main__":
    main()
