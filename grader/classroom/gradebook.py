"""The gradebook: every grading of every submission, in one SQLite file.

One row per (student, attempt) in ``submissions``, one row per check in ``checks``.  Exactly
one row per student is *current* (a partial unique index enforces it).  A submission whose
content hash was already graded with the same checks (``checks_hash``) is skipped unless
forced.  Each result is written in one transaction, so a grading killed at any moment (even
``kill -9``) leaves either the whole result or nothing: running the same command again
finishes the class with nothing lost and nothing twice.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id           INTEGER PRIMARY KEY,
    student      TEXT NOT NULL,
    entry        TEXT NOT NULL,              -- the file or folder name it came from
    content_hash TEXT NOT NULL,              -- what was graded (source files)
    checks_hash  TEXT NOT NULL,              -- with what (assignment, checks, references)
    attempt      INTEGER NOT NULL,
    status       TEXT NOT NULL,              -- graded | crashed | timeout | malformed
    score        REAL,
    max_score    REAL,
    message      TEXT,
    result_json  TEXT,                       -- the `grade --format json` document
    seconds      REAL,
    graded_at    TEXT NOT NULL,
    current      INTEGER NOT NULL DEFAULT 1,
    UNIQUE (student, attempt)
);
CREATE UNIQUE INDEX IF NOT EXISTS one_current_per_student
    ON submissions (student) WHERE current = 1;
CREATE TABLE IF NOT EXISTS checks (
    submission_id INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
    exercise      TEXT NOT NULL,
    name          TEXT NOT NULL,
    status        TEXT NOT NULL,
    points        REAL NOT NULL,
    max_points    REAL NOT NULL,
    visibility    TEXT NOT NULL,
    message       TEXT,
    PRIMARY KEY (submission_id, exercise, name)
);
"""
STATUSES = ("graded", "crashed", "timeout", "malformed")


@dataclass
class Record:
    """What the batch grader hands the gradebook for one submission."""
    student: str
    entry: str
    content_hash: str
    checks_hash: str
    status: str
    score: float | None = None
    max_score: float | None = None
    message: str | None = None
    result: dict | None = None
    seconds: float | None = None


class Gradebook:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = sqlite3.connect(str(self.path), timeout=60, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def already_graded(self, student: str, content_hash: str, checks_hash: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM submissions WHERE student = ? AND content_hash = ? AND "
            "checks_hash = ? AND current = 1", (student, content_hash, checks_hash)).fetchone()
        return row is not None

    def record(self, rec: Record) -> int:
        """Store one result as the student's current one, atomically."""
        if rec.status not in STATUSES:
            raise ValueError(f"unknown status {rec.status!r}")
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            (attempt,) = db.execute("SELECT COALESCE(MAX(attempt), 0) + 1 FROM submissions "
                                    "WHERE student = ?", (rec.student,)).fetchone()
            db.execute("UPDATE submissions SET current = 0 WHERE student = ? AND current = 1",
                       (rec.student,))
            cursor = db.execute(
                "INSERT INTO submissions (student, entry, content_hash, checks_hash, attempt, "
                "status, score, max_score, message, result_json, seconds, graded_at, current) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                (rec.student, rec.entry, rec.content_hash, rec.checks_hash, attempt, rec.status,
                 rec.score, rec.max_score, rec.message,
                 json.dumps(rec.result, ensure_ascii=False) if rec.result else None,
                 rec.seconds, now))
            submission_id = cursor.lastrowid
            for exercise in (rec.result or {}).get("exercises", []):
                for check in exercise["checks"]:
                    db.execute(
                        "INSERT INTO checks VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (submission_id, exercise["name"], check["name"], check["status"],
                         check["points"], check["max_points"], check["visibility"],
                         check["message"]))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return submission_id

    def current(self) -> list[dict]:
        """The current result of every student, ordered by student."""
        rows = self.db.execute(
            "SELECT student, entry, content_hash, checks_hash, attempt, status, score, "
            "max_score, message, result_json, seconds, graded_at FROM submissions "
            "WHERE current = 1 ORDER BY student").fetchall()
        keys = ("student", "entry", "content_hash", "checks_hash", "attempt", "status", "score",
                "max_score", "message", "result", "seconds", "graded_at")
        out = []
        for row in rows:
            item = dict(zip(keys, row))
            item["result"] = json.loads(item["result"]) if item["result"] else None
            out.append(item)
        return out

    def counts(self) -> dict:
        total, current = self.db.execute(
            "SELECT COUNT(*), SUM(current) FROM submissions").fetchone()
        return {"rows": total, "current": current or 0}
