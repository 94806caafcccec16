"""Make a folder of mixed submissions for trying `grade batch` (and for its figures).

    python benchmarks/make_class.py OUT [--size 50]
    grade batch OUT --jobs 2 --reports OUT-reports

Kinds, in rotation: the reference; the reference with one realistic mistake (a mutant); a
submission whose code crashes the worker in one exercise; one that hangs at import of one
file; the notebooks of a topic filled with the reference; the stubs (nothing done); a zip of
a correct folder; a corrupt zip; one of the red-team attacks.  Deterministic for a given size.
Students are named as a real class is: Chinese, accented and plain names (``李伟-01``,
``zoë-02``, ``student-00``), each with its number.
"""
from __future__ import annotations

import argparse
import ast
import shutil
import zipfile
from pathlib import Path

import nbformat

from grader import assignment as assignment_mod
from grader.course import mutants as mutants_mod
from grader.course.notebook_build import write_notebooks

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("student", "李伟", "zoë", "łukasz", "王芳", "josé", "nguyễn", "søren", "ana", "张敏")


def reference(dest: Path) -> Path:
    shutil.copytree(ROOT / "solutions", dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def definitions(topic: str) -> dict[str, str]:
    source = (ROOT / "solutions" / f"{topic}.py").read_text()
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            found[node.name] = "\n".join(source.splitlines()[first - 1:node.end_lineno])
    return found


def filled_notebooks(course, dest: Path, scratch: Path) -> None:
    dest.mkdir(parents=True)
    for path in write_notebooks(course, scratch):
        nb = nbformat.read(str(path), as_version=4)
        code = definitions(path.stem)
        for cell in nb.cells:
            name = cell.metadata.get("grader", {}).get("exercise")
            if name in code:
                cell.source = code[name]
        nbformat.write(nb, str(dest / path.name))


def make(out: Path, size: int) -> dict[str, str]:
    course = assignment_mod.load(ROOT / "pyproject.toml")
    mutants = mutants_mod.discover(ROOT / "tests" / "mutants")
    attacks = sorted((ROOT / "tests" / "redteam").glob("*.py"))
    out.mkdir(parents=True)
    scratch = out.parent / f".{out.name}-scratch"
    kinds = {}
    for i in range(size):
        kind = ("reference", "mutant", "crash", "hang", "notebooks", "stubs", "zip",
                "corrupt zip", "mutant", "attack")[i % 10]
        name = f"{NAMES[i % len(NAMES)]}-{i:02d}"
        kinds[name] = kind
        folder = out / name
        if kind == "reference":
            reference(folder)
        elif kind == "mutant":
            mutant = mutants[(i * 7) % len(mutants)]
            topic = course.exercise(mutant.exercise).topic
            reference(folder)
            for file, text in mutants_mod.submission_files(mutant, ROOT / "solutions",
                                                           topic).items():
                (folder / file).write_text(text)
            kinds[name] = f"mutant {mutant.id}"
        elif kind == "crash":
            reference(folder)
            with open(folder / "pooling.py", "a") as handle:
                handle.write("\n\ndef pool2d(X, pool_size, mode='max'):\n"
                             "    import os\n    os._exit(1)\n")
        elif kind == "hang":
            reference(folder)
            text = (folder / "attention.py").read_text()
            (folder / "attention.py").write_text("while True:\n    pass\n" + text)
        elif kind == "notebooks":
            filled_notebooks(course, folder, scratch / name)
        elif kind == "stubs":
            shutil.copytree(ROOT / "exercises", folder,
                            ignore=shutil.ignore_patterns("__pycache__"))
        elif kind == "zip":
            reference(scratch / name)
            with zipfile.ZipFile(out / f"{name}.zip", "w") as archive:
                for file in sorted((scratch / name).iterdir()):
                    archive.write(file, f"homework/{file.name}")
        elif kind == "corrupt zip":
            (out / f"{name}.zip").write_bytes(b"PK\x03\x04 truncated")
        else:
            attack = attacks[i % len(attacks)]
            reference(folder)
            source = attack.read_text()
            for key, value in (("__COURSE__", "/nonexistent"), ("__CANARY__", "/nonexistent"),
                               ("__PORT__", "9"), ("__MARKER__", "class-demo")):
                source = source.replace(key, value)
            with open(folder / "convolution.py", "a") as handle:
                handle.write("\n\n" + source)
            kinds[name] = f"attack {attack.stem}"
    shutil.rmtree(scratch, ignore_errors=True)
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", type=int, default=50)
    args = parser.parse_args()
    for name, kind in make(args.out, args.size).items():
        print(f"{name}: {kind}")


if __name__ == "__main__":
    main()
