from fastapi import FastAPI
from transformers import pipeline

app = FastAPI()
classifier = pipeline("sentiment-analysis", model="distilbert-base-uncased-finetuned-sst-2-english")


@app.get("/")
def root(text: str = "hello"):
    return classifier(text)[0]
