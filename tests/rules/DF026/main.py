from fastapi import FastAPI, UploadFile

from vision import edges

app = FastAPI()


@app.post("/edges")
async def root(file: UploadFile):
    return {"edges": edges(await file.read())}
