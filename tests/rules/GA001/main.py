import os

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> dict:
    return {
        "status": "ok",
        "description": "deployment-ready-ga2-084d53",
        "secret_configured": bool(os.environ.get("GA2_TOKEN_1318")),
    }
