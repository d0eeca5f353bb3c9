"""Fidelity check of the test suite's fake Hub against the real Python client.

Run by tests/live.rs with HF_ENDPOINT pointing at the fake and HF_TOKEN set to its token: the
huggingface_hub client must read the fake's answers as it reads the Hub's.
"""

from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub.errors import RepositoryNotFoundError

api = HfApi()

info = api.space_info("acme/compliant")
assert info.id == "acme/compliant", info.id
assert info.private is False
assert info.sdk == "docker"
assert info.runtime is not None and info.runtime.stage == "RUNNING", info.runtime
assert info.runtime.hardware == "cpu-basic", info.runtime.hardware
assert info.card_data is not None and info.card_data.get("app_port") == 7255
assert "Dockerfile" in [s.rfilename for s in info.siblings]
assert info.host and info.host.startswith("http://127.0.0.1:")

sleeping = api.get_space_runtime("acme/sleeping")
assert sleeping.stage == "SLEEPING" and sleeping.hardware is None, sleeping
assert sleeping.requested_hardware == "cpu-basic"

files = api.list_repo_files("acme/compliant", repo_type="space")
assert "README.md" in files, files

path = hf_hub_download("acme/compliant", "README.md", repo_type="space")
with open(path, encoding="utf-8") as f:
    assert "sdk: docker" in f.read()

assert api.space_info("acme/private").private is True

try:
    api.space_info("acme/does-not-exist")
except RepositoryNotFoundError:
    pass
else:
    raise AssertionError("a missing Space must raise RepositoryNotFoundError")

me = api.whoami()
assert me["name"] == "acme"

print("fake hub fidelity: ok")
