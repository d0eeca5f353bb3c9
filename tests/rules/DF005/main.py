import sqlite3

from fastapi import FastAPI

# The visits database beside the app, in /home/user/app: its folder belongs to `user`, UID 1001.
db = sqlite3.connect("visits.db", check_same_thread=False)
db.execute("CREATE TABLE IF NOT EXISTS visits (at TEXT)")

app = FastAPI()


@app.get("/")
def root():
    db.execute("INSERT INTO visits VALUES (datetime('now'))")
    db.commit()
    return {"ok": True}
