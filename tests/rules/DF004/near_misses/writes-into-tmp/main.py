import os

from fastapi import FastAPI, UploadFile

UPLOADS = "/tmp/uploads"
os.makedirs(UPLOADS, exist_ok=True)

app = FastAPI()


@app.post("/upload")
async def upload(file: UploadFile):
    with open(os.path.join(UPLOADS, file.filename), "wb") as out:
        out.write(await file.read())
    return {"saved": file.filename}
