"""lstm-nlp-data: the benchmark catalogue and ``fetch``, against a local HTTP mirror."""

import hashlib
import re
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lstm_nlp.cli.data import main
from lstm_nlp.evaluation.catalogue import CATALOGUE, Benchmark, BenchmarkFile

COMMIT = "0123456789abcdef0123456789abcdef01234567"
FILES = {"data/one.jsonl": b'{"sentence_good": "a", "sentence_bad": "b"}\n', "x/two.txt": b"2\n"}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Mirror:
    """A static HTTP server over ``root`` (laid out /OWNER/REPO/COMMIT/PATH) that records the
    paths it is asked for."""

    def __init__(self, root: Path):
        self.root, self.requests = root, []
        mirror = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self):
                mirror.requests.append(self.path)
                super().do_GET()

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def put(self, repo: str, path: str, data: bytes) -> None:
        target = self.root / repo / COMMIT / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.delenv("LSTM_NLP_BENCHMARK_URL", raising=False)


@pytest.fixture
def mirror(tmp_path):
    m = Mirror(tmp_path / "mirror")
    for path, data in FILES.items():
        m.put("someone/toy", path, data)
    yield m
    m.close()


def toy(name="toy", hashes=None, repo="someone/toy"):
    """A benchmark of FILES; ``hashes`` overrides the right SHA-256 per repository path."""
    hashes = hashes or {}
    files = (
        BenchmarkFile(
            "data/one.jsonl",
            "one.jsonl",
            hashes.get("data/one.jsonl", sha(FILES["data/one.jsonl"])),
        ),
        BenchmarkFile("x/two.txt", "sub/two.txt", hashes.get("x/two.txt", sha(FILES["x/two.txt"]))),
    )
    return Benchmark(name, repo, COMMIT, files, "a toy set")


def run(argv, catalogue, capsys):
    rc = main(argv, catalogue=catalogue)
    out, err = capsys.readouterr()
    return rc, out, err


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


def test_fetch_places_the_files_in_dir_name(tmp_path, mirror, capsys):
    dest = tmp_path / "bench"
    argv = ["fetch", "toy", str(dest), "--base-url", mirror.url, "--cache", str(tmp_path / "c")]
    rc, out, err = run(argv, {"toy": toy()}, capsys)
    assert rc == 0, err
    assert (dest / "toy" / "one.jsonl").read_bytes() == FILES["data/one.jsonl"]
    assert (dest / "toy" / "sub" / "two.txt").read_bytes() == FILES["x/two.txt"]
    assert files_under(dest) == [dest / "toy" / "one.jsonl", dest / "toy" / "sub" / "two.txt"]
    assert sorted(mirror.requests) == [f"/someone/toy/{COMMIT}/{p}" for p in sorted(FILES)]
    assert "2 downloaded, 0 from the cache" in out
    assert err == ""


def test_a_second_fetch_uses_the_cache(tmp_path, mirror, capsys, monkeypatch):
    monkeypatch.setenv("LSTM_NLP_CACHE", str(tmp_path / "cache"))  # the default cache location
    monkeypatch.setenv("LSTM_NLP_BENCHMARK_URL", mirror.url)  # the mirror, from the environment
    cat = {"toy": toy()}
    assert run(["fetch", "toy", str(tmp_path / "a")], cat, capsys)[0] == 0
    assert len(mirror.requests) == 2
    assert (tmp_path / "cache" / "benchmarks" / "someone/toy" / COMMIT / "x/two.txt").is_file()
    mirror.requests.clear()
    rc, out, err = run(["fetch", "toy", str(tmp_path / "b")], cat, capsys)
    assert rc == 0, err
    assert mirror.requests == []
    assert "0 downloaded, 2 from the cache" in out
    assert (tmp_path / "b" / "toy" / "one.jsonl").read_bytes() == FILES["data/one.jsonl"]


def test_a_hash_mismatch_is_one_line_exit_1_and_writes_nothing(tmp_path, mirror, capsys):
    dest, cache = tmp_path / "bench", tmp_path / "cache"
    cat = {"toy": toy(hashes={"x/two.txt": "0" * 64})}
    argv = ["fetch", "toy", str(dest), "--base-url", mirror.url, "--cache", str(cache)]
    rc, out, err = run(argv, cat, capsys)
    assert rc == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    url = f"{mirror.url}/someone/toy/{COMMIT}/x/two.txt"
    assert lines[0].startswith("lstm-nlp-data: error: toy: x/two.txt from " + url)
    assert f"expected {'0' * 64}, got {sha(FILES['x/two.txt'])}" in lines[0]
    assert files_under(dest) == []  # the first, good file was not placed either
    assert not (cache / "someone/toy" / COMMIT / "x/two.txt").exists()  # pooch's temp file is gone
    assert [p.name for p in files_under(cache)] == ["one.jsonl"]


def test_a_missing_file_is_one_line_naming_it(tmp_path, mirror, capsys):
    cat = {"toy": Benchmark("toy", "someone/toy", COMMIT, (BenchmarkFile("nope.txt", "n"),), "")}
    argv = ["fetch", "toy", str(tmp_path / "d"), "--base-url", mirror.url]
    rc, _, err = run(argv, cat, capsys)
    assert rc == 1
    assert err.count("\n") == 1
    assert f"toy: nope.txt from {mirror.url}/someone/toy/{COMMIT}/nope.txt: HTTP 404" in err
    assert files_under(tmp_path / "d") == []


def test_an_unreachable_server_is_one_line(tmp_path, capsys):
    with ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler) as server:
        port = server.server_address[1]  # bound, then closed: nothing listens there
    argv = ["fetch", "toy", str(tmp_path / "d"), "--base-url", f"http://127.0.0.1:{port}"]
    rc, _, err = run(argv, {"toy": toy()}, capsys)
    assert rc == 1
    assert err.count("\n") == 1
    assert f"toy: data/one.jsonl from http://127.0.0.1:{port}/someone/toy/" in err
    assert files_under(tmp_path / "d") == []


def test_unpinned_hashes_are_refused_and_printed_unless_trusted(tmp_path, mirror, capsys):
    cat = {"toy": toy(hashes={"x/two.txt": None})}
    dest = tmp_path / "bench"
    base = ["fetch", "toy", str(dest), "--base-url", mirror.url, "--cache", str(tmp_path / "c")]
    rc, out, err = run(base, cat, capsys)
    assert rc == 1
    assert f"unpinned  toy  x/two.txt  sha256={sha(FILES['x/two.txt'])}" in out
    assert err.count("\n") == 1 and "--trust-unverified" in err
    assert files_under(dest) == []
    rc, out, err = run([*base, "--trust-unverified"], cat, capsys)
    assert rc == 0, err
    assert f"sha256={sha(FILES['x/two.txt'])}" in out
    assert "1 unverified, trusted" in out
    assert (dest / "toy" / "sub" / "two.txt").read_bytes() == FILES["x/two.txt"]


def test_fetch_all_fetches_every_set(tmp_path, mirror, capsys):
    for path, data in FILES.items():
        mirror.put("other/set", path, data)
    cat = {"toy": toy(), "other": toy("other", repo="other/set")}
    argv = ["fetch", "all", str(tmp_path / "d"), "--base-url", mirror.url]
    rc, _, err = run(argv, cat, capsys)
    assert rc == 0, err
    assert (tmp_path / "d" / "toy" / "one.jsonl").is_file()
    assert (tmp_path / "d" / "other" / "sub" / "two.txt").is_file()


def test_fetch_all_places_the_verified_sets_and_names_the_refused(tmp_path, mirror, capsys):
    for path, data in FILES.items():
        mirror.put("other/set", path, data)
    cat = {"toy": toy(hashes={"data/one.jsonl": None}), "other": toy("other", repo="other/set")}
    argv = ["fetch", "all", str(tmp_path / "d"), "--base-url", mirror.url]
    rc, out, err = run(argv, cat, capsys)
    assert rc == 1
    assert "unpinned  toy  data/one.jsonl  sha256=" in out
    assert err.count("\n") == 1 and err.startswith("lstm-nlp-data: error: toy: ")
    assert files_under(tmp_path / "d") == files_under(tmp_path / "d" / "other")
    assert (tmp_path / "d" / "other" / "one.jsonl").is_file()


def test_an_unknown_name_suggests_the_closest(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["fetch", "blimpp", str(tmp_path)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("lstm-nlp-data: error: unknown benchmark 'blimpp' (known: blimp, ")
    assert "did you mean 'blimp'?" in err
    assert not (tmp_path / "blimpp").exists()


def test_list_prints_the_catalogue(capsys):
    rc, out, _ = run(["list"], None, capsys)
    assert rc == 0
    lines = out.splitlines()
    assert len(lines) == 1 + len(CATALOGUE)
    for bench, line in zip(CATALOGUE.values(), lines[1:]):
        assert line.split()[:4] == [bench.name, bench.repo, bench.commit, str(len(bench.files))]
        assert bench.about in line


def test_help_is_fast_and_imports_neither_torch_nor_pooch():
    code = (
        "import sys\n"
        "from lstm_nlp.cli.data import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit as e:\n    assert e.code == 0\n"
        "for m in ('torch', 'lightning', 'pooch'):\n    assert m not in sys.modules, m\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "usage: lstm-nlp-data" in proc.stdout and "fetch" in proc.stdout


def test_the_real_catalogue_is_well_formed():
    assert {"blimp", "marvin_linzen", "gulordava", "syntaxgym"} <= set(CATALOGUE)
    for name, bench in CATALOGUE.items():
        assert bench.name == name
        assert re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", bench.repo), bench.repo
        assert re.fullmatch(r"[0-9a-f]{40}", bench.commit), name
        assert bench.files and bench.about
        locals_ = [f.local for f in bench.files]
        assert len(set(locals_)) == len(locals_), f"{name}: duplicate local paths"
        assert len({f.remote for f in bench.files}) == len(bench.files)
        for f in bench.files:
            assert f.sha256 is None or re.fullmatch(r"[0-9a-f]{64}", f.sha256), f
            assert not f.local.startswith("/") and ".." not in f.local.split("/"), f
    assert len(CATALOGUE["blimp"].files) == 67
