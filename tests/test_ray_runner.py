"""The Ray run's driver (translate/flow/distributed/runner.py) against `LocalRay`: the part of
Ray's API the driver uses, run in this process (a task runs where `ray.get` asks for it,
Ray Data's plan row by row, one item per block). No Ray is started and no model is built:
the actors' models are the fakes of tests/test_ray_stages.py. What a real cluster does is
tests/test_ray.py's; these pin the driver's own bookkeeping. Mutation testing found it
unpinned (docs/mutation.md)."""

from __future__ import annotations

import contextlib
import logging
import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest

ray = pytest.importorskip("ray", reason="needs the [ray] extra")
from ray.data import DataContext  # noqa: E402

from tests.test_ray_stages import ENGLISH, GERMAN, Models, files, write  # noqa: E402
from tests.test_ray_stages import fake_models as fake_models  # noqa: E402, F401
from translate.config import ModelOptions, RunOptions  # noqa: E402
from translate.errors import ModelNotAvailableError, TranslateError  # noqa: E402
from translate.flow import run as run_module  # noqa: E402
from translate.flow.distributed import runner  # noqa: E402
from translate.flow.distributed.cluster import TASK_CPUS, RayOptions  # noqa: E402
from translate.flow.distributed.stages import Source, Summarizer, Translator, prepare_block  # noqa: E402
from translate.flow.job import Job  # noqa: E402
from translate.flow.run import WAVE_DOCUMENTS  # noqa: E402
from translate.outputs.writing import OutputLock  # noqa: E402

OPTIONS = RunOptions(cache=False)
NODE_A, NODE_B = "a" * 56, "b" * 56


class PinnedModels(Models):
    """The fake models, with the revisions a hub model's recipe names."""

    def recipe(self) -> dict:
        return {
            **super().recipe(),
            "translation_model_revision": "mt-rev",
            "summary_model_revision": "sum-rev",
        }


class LocalTask:
    def __init__(self, local: LocalRay, fn, options: dict):
        self.local, self.fn, self.options_ = local, fn, options

    def options(self, **more):
        return LocalTask(self.local, self.fn, {**self.options_, **more})

    def remote(self, *args):
        self.local.tasks.append((self.fn.__name__, self.options_, args))
        return (self.fn, args)


class LocalDataset:
    """Ray Data's plan, run row by row when iterated, one item per block (as the runner's
    DataContext asks). A row whose document is in `local.lost` is lost with its worker."""

    def __init__(self, local: LocalRay, rows: list[dict], stages: tuple = ()):
        self.local, self.rows, self.stages = local, rows, stages
        self.synchronized = 0

    def map_batches(self, fn, **kwargs):
        if "max_task_retries" in kwargs:  # as Ray 2.60 warns
            warnings.warn(
                "max_task_retries as a remote arg is deprecated", DeprecationWarning, stacklevel=2
            )
            if self.local.notes:  # and a note of another kind
                warnings.warn(f"{fn.__name__}: a note for the user", UserWarning, stacklevel=2)
        planned = LocalDataset(self.local, self.rows, (*self.stages, (fn, kwargs)))
        self.local.datasets[self.local.datasets.index(self)] = planned  # the run's plan so far
        return planned

    def _synchronize_progress_bar(self):
        self.synchronized += 1

    def iter_rows(self):
        context = DataContext.get_current()
        self.local.context_seen.append(
            (
                context.target_max_block_size,
                context.max_errored_blocks,
                context.enable_progress_bars,
            )
        )
        if self.local.fail is not None:
            raise self.local.fail
        rows = iter(self.rows)
        for fn, kwargs in self.stages:
            rows = self._apply(fn, kwargs, rows, context)
        for row in rows:
            yield {"item": row["item"]}

    def _apply(self, fn, kwargs, rows, context):
        assert kwargs["batch_size"] == 1
        if isinstance(fn, type):
            call = fn(**kwargs["fn_constructor_kwargs"])
        else:

            def call(batch):
                return fn(batch, **kwargs["fn_kwargs"])

        for row in rows:
            if fn is Summarizer and self.local.loses(row["item"]):
                if context.max_errored_blocks != -1:
                    raise ray.exceptions.RayError("a block failed")
                continue  # the block is given up on; the run goes on
            out = call({"item": np.array([row["item"]], dtype=object)})
            for data in out["item"]:
                yield {"item": data}


class LocalRay:
    """The driver's view of a Ray cluster, run in this process."""

    exceptions = ray.exceptions

    def __init__(self, resources=None, nodes=None, here="10.0.0.1"):
        self.resources = resources or {"CPU": 2.0}
        self._nodes = nodes or [{"NodeID": NODE_A, "Alive": True, "NodeManagerAddress": here}]
        self.here = here
        self.tasks: list = []
        self.timeouts: list = []
        self.datasets: list[LocalDataset] = []
        self.from_items_calls: list = []
        self.context_seen: list = []
        self.lost: set[str] = set()
        self.fail: Exception | None = None
        self.notes = False
        local = self

        class util:
            @staticmethod
            def get_node_ip_address():
                return local.here

        class data:
            @staticmethod
            def from_items(items, override_num_blocks):
                local.from_items_calls.append((items, override_num_blocks))
                dataset = LocalDataset(local, items)
                local.datasets.append(dataset)
                return dataset

        self.util, self.data = util, data

    def loses(self, data) -> bool:
        import pickle

        item = pickle.loads(data)
        return any(j.document.path.name in self.lost for j in getattr(item, "jobs", []))

    def remote(self, **options):
        return lambda fn: LocalTask(self, fn, options)

    def get(self, refs, timeout=None):
        self.timeouts.append(timeout)
        if isinstance(refs, list):
            return [self._run(ref) for ref in refs]
        return self._run(refs)

    def _run(self, ref):
        fn, args = ref
        try:
            return fn(*args)
        except Exception as exc:
            raise ray.exceptions.RayTaskError(fn.__name__, "Traceback: ...", exc) from None

    def nodes(self):
        return self._nodes

    def cluster_resources(self):
        return self.resources


@pytest.fixture
def cluster(monkeypatch):
    """runner.iter_results joins a LocalRay; the models are the fakes, not local here."""
    local = LocalRay()
    joined: list[RayOptions] = []
    located: list = []

    @contextlib.contextmanager
    def connect(ray_options):
        joined.append(ray_options)
        yield local

    def locate(name, revision=None, local_only=False):
        located.append((name, revision, local_only))
        raise ModelNotAvailableError(f"{name}: not on this machine")

    monkeypatch.setattr(runner, "connect", connect)
    monkeypatch.setattr(runner, "locate", locate)
    monkeypatch.setattr(runner, "ModelSet", PinnedModels)
    monkeypatch.setattr("translate.flow.distributed.stages.ModelSet", PinnedModels)
    local.joined, local.located = joined, located
    return local


def plain_files(folder: Path, texts: dict) -> dict[str, str]:
    docs = write(folder, **texts)
    list(run_module.iter_results(docs, OPTIONS, PinnedModels(OPTIONS)))
    return files(folder)


TEXTS = {"a.txt": GERMAN, "b.txt": ENGLISH, "c.txt": "", "d.txt": GERMAN + GERMAN}


@pytest.mark.parametrize("io", ["shared", "driver"])
def test_a_run_on_the_cluster_writes_the_files_a_plain_run_writes(cluster, tmp_path, io, caplog):
    expected = plain_files(tmp_path / "plain", TEXTS)
    docs = write(tmp_path / "ray", **TEXTS)
    with caplog.at_level(logging.INFO, logger=runner.log.name):
        results = list(runner.iter_results(docs, OPTIONS, RayOptions(io=io)))
    assert {r.path.name: r.status for r in results} == {
        "a.txt": "written",
        "b.txt": "written",
        "c.txt": "failed",
        "d.txt": "written",
    }
    assert results[0].path.name == "c.txt"  # failed before any translation
    assert files(tmp_path / "ray") == expected and len(expected) == 3
    assert not list((tmp_path / "ray").glob(".*"))  # no lock or probe file left
    assert cluster.joined == [RayOptions(io=io)]
    messages = [r.getMessage() for r in caplog.records if r.name == runner.log.name]
    pools = "Pools(translators=2, summarizers=2, threads=1, cpus=0.45, gpus=0.0)"
    who = "workers read and write" if io == "shared" else "driver I/O"
    assert f"Ray run: {pools}; {who}" in messages


def test_with_driver_io_the_driver_reads_each_input_and_writes_each_output(cluster, tmp_path):
    docs = write(tmp_path / "ray", **{"a.txt": GERMAN, "b.txt": ENGLISH})
    results = list(runner.iter_results(docs, OPTIONS, RayOptions(io="driver")))
    assert [r.status for r in results] == ["written", "written"]
    (dataset,) = cluster.datasets
    summarize = dataset.stages[2][1]
    assert summarize["fn_constructor_kwargs"]["write_here"] is False
    # What the prepare tasks got: jobs the driver read (their text shipped), not sources.
    ((items, blocks),) = cluster.from_items_calls
    (block,) = [pickle.loads(i["item"]) for i in items]
    assert [(i, type(item)) for i, item in block] == [(0, Job), (1, Job)] and blocks == 1
    again = list(runner.iter_results(docs, OPTIONS, RayOptions(io="driver")))
    assert [(r.status, r.reason) for r in again] == [("skipped", "up to date")] * 2
    assert len(cluster.datasets) == 1  # nothing left to do: no Ray Data run


def test_no_documents_join_no_cluster(cluster):
    assert list(runner.iter_results([], OPTIONS, RayOptions())) == []
    assert cluster.joined == []


def test_the_plan_gives_each_actor_its_share_of_the_cluster(cluster, tmp_path):
    cluster.resources = {"CPU": 4.0, "GPU": 2.0}
    options = RunOptions(cache=False, models=ModelOptions(threads=2))
    docs = write(tmp_path, **{"a.txt": ENGLISH})
    results = list(
        runner.iter_results(docs, options, RayOptions(translators=1, summarizers=3, io="shared"))
    )
    assert [r.status for r in results] == ["written"]
    (dataset,) = cluster.datasets
    pinned = options.with_models(mt_revision="mt-rev", summary_revision="sum-rev")
    recipe = PinnedModels(options).recipe()
    (prepare, translate, summarize) = dataset.stages
    assert prepare == (
        prepare_block,
        {
            "batch_size": 1,
            "num_cpus": TASK_CPUS,
            "fn_kwargs": {"options": pinned, "recipe": recipe},
        },
    )
    models = {"options": pinned.with_models(threads=2), "recipe": recipe}
    for (fn, kwargs), kind, size, more in (
        (translate, Translator, 1, {}),
        (summarize, Summarizer, 3, {"write_here": True}),
    ):
        compute = kwargs.pop("compute")
        assert (fn, compute.min_size, compute.max_size) == (kind, size, size)
        assert kwargs == {
            "batch_size": 1,
            "fn_constructor_kwargs": {**models, **more},
            "max_task_retries": 3,
            "num_cpus": 0.9,  # 2 threads: a CPU each, less the tasks' tenth
            "num_gpus": 0.5,  # 2 GPUs for 4 actors
        }
    ((items, blocks),) = cluster.from_items_calls
    assert blocks == 1 and len(items) == 1


def test_a_cpu_cluster_asks_ray_for_no_gpus(cluster, tmp_path):
    docs = write(tmp_path, **{"a.txt": ENGLISH})
    list(runner.iter_results(docs, OPTIONS, RayOptions(io="shared")))
    for _, kwargs in cluster.datasets[0].stages[1:]:
        assert kwargs["num_gpus"] is None  # not 0: Ray takes None as "none asked for"


def test_documents_go_in_blocks_of_a_wave_each_with_their_index(cluster, tmp_path):
    count = WAVE_DOCUMENTS + 1
    docs = write(tmp_path, **{f"d{i:03}.txt": ENGLISH for i in range(count)})
    results = list(runner.iter_results(docs, OPTIONS, RayOptions(io="shared")))
    assert len(results) == count and {r.status for r in results} == {"written"}

    ((items, blocks),) = cluster.from_items_calls
    assert blocks == 2
    first, second = (pickle.loads(i["item"]) for i in items)
    assert [i for i, _ in first] == list(range(WAVE_DOCUMENTS))
    assert [(i, item.document) for i, item in second] == [
        (WAVE_DOCUMENTS, Source(docs[-1]).document)
    ]
    assert all(isinstance(item, Source) for _, item in first)


def test_split_blocks_keeps_order_and_cuts_at_each_block_of_documents():
    items = [
        (0, "a"),
        (1, "b"),
        (WAVE_DOCUMENTS - 1, "c"),
        (WAVE_DOCUMENTS, "d"),
        (3 * WAVE_DOCUMENTS, "e"),
    ]
    assert runner.split_blocks(items) == [
        [(0, "a"), (1, "b"), (WAVE_DOCUMENTS - 1, "c")],
        [(WAVE_DOCUMENTS, "d")],
        [(3 * WAVE_DOCUMENTS, "e")],
    ]
    assert runner.split_blocks([]) == []


def test_documents_lost_with_their_workers_are_reported_failed_in_order(cluster, tmp_path):
    texts = {"a.txt": ENGLISH, "b.txt": ENGLISH, "c.txt": ENGLISH}
    docs = write(tmp_path, **texts)
    cluster.lost = {"c.txt", "a.txt"}
    stopped = []
    # a, b and c are one summary group: lose the whole group with a.
    results = list(runner.iter_results(docs, OPTIONS, RayOptions(io="shared")))
    assert cluster.context_seen == [(1, -1, False)]
    assert [(r.path.name, r.status) for r in results] == [
        ("a.txt", "failed"),
        ("b.txt", "failed"),
        ("c.txt", "failed"),
    ]
    assert results[0].reason == f"{docs[0].path}: lost: the Ray worker working on it died 4 times"
    assert stopped == []


def test_a_lost_document_does_not_cost_the_others(cluster, tmp_path, monkeypatch):
    monkeypatch.setattr(run_module, "SUMMARY_GROUP", 1)  # each summarized alone
    docs = write(tmp_path, **{"a.txt": ENGLISH, "b.txt": ENGLISH, "c.txt": ENGLISH})
    cluster.lost = {"c.txt", "a.txt"}
    results = list(runner.iter_results(docs, OPTIONS, RayOptions(io="shared")))
    assert [(r.path.name, r.status) for r in results] == [
        ("b.txt", "written"),
        ("a.txt", "failed"),
        ("c.txt", "failed"),
    ]
    assert results[2].reason.endswith("c.txt: lost: the Ray worker working on it died 4 times")


def test_ray_data_settings_hold_for_the_run_and_are_restored_after(cluster, tmp_path):
    context = DataContext.get_current()
    names = ("target_max_block_size", "max_errored_blocks", "enable_progress_bars")
    saved = {n: getattr(context, n) for n in names}
    try:
        context.target_max_block_size, context.max_errored_blocks = 7, 5
        context.enable_progress_bars = True
        docs = write(tmp_path, **{"a.txt": ENGLISH})
        list(runner.iter_results(docs, OPTIONS, RayOptions(io="shared")))
        assert cluster.context_seen == [(1, -1, False)]
        assert (context.target_max_block_size, context.max_errored_blocks) == (7, 5)
        assert context.enable_progress_bars is True
    finally:
        for name, value in saved.items():
            setattr(context, name, value)


def test_a_failed_ray_job_is_one_line_and_its_workers_are_stopped(cluster, tmp_path, monkeypatch):
    stopped = []
    monkeypatch.setattr(runner, "stop_job", lambda ray, ds: stopped.append((ray, ds)))
    cluster.fail = ray.exceptions.RayError("the object store is full\nand more")
    docs = write(tmp_path, **{"a.txt": ENGLISH})
    with pytest.raises(TranslateError) as caught:
        list(runner.iter_results(docs, OPTIONS, RayOptions(io="shared")))
    assert str(caught.value) == "the Ray job failed: the object store is full"
    assert stopped == [(cluster, cluster.datasets[0])]


def test_a_caller_that_stops_early_stops_the_jobs_workers(cluster, tmp_path, monkeypatch):
    stopped = []
    monkeypatch.setattr(runner, "stop_job", lambda ray, ds: stopped.append((ray, ds)))
    monkeypatch.setattr(run_module, "SUMMARY_GROUP", 1)
    docs = write(tmp_path, **{"a.txt": ENGLISH, "b.txt": ENGLISH})
    results = runner.iter_results(docs, OPTIONS, RayOptions(io="shared"))
    assert next(results).status == "written"
    assert stopped == []
    results.close()
    assert stopped == [(cluster, cluster.datasets[0])]
    list(
        runner.iter_results(
            docs, OPTIONS.__class__(cache=False, force=True), RayOptions(io="shared")
        )
    )
    assert len(stopped) == 1  # a run that finishes stops nothing


def test_the_recipe_comes_from_the_drivers_models_when_it_has_them(cluster, monkeypatch):
    located = []
    monkeypatch.setattr(
        runner, "locate", lambda n, r, local_only=False: located.append((n, r, local_only))
    )
    options = RunOptions(
        models=ModelOptions(
            mt_model="mt", mt_revision="1", summary_model="sum", summary_revision="2", device="cuda"
        )
    )
    recipe = runner._cluster_recipe(cluster, options)
    assert located == [("mt", "1", True), ("sum", "2", True)]
    assert recipe == PinnedModels(options).recipe()
    assert Models.made[-2].options == options.with_models(device="cpu")  # no GPU needed to ask
    assert cluster.tasks == []


def test_the_cluster_is_asked_for_the_recipe_when_the_driver_has_no_models(cluster, caplog):
    options = RunOptions(models=ModelOptions(mt_model="mt", device="cuda"))
    with caplog.at_level(logging.INFO, logger=runner.log.name):
        recipe = runner._cluster_recipe(cluster, options)
    assert recipe == PinnedModels(options).recipe()
    assert cluster.located[0] == ("mt", None, True)
    ((name, task_options, args),) = cluster.tasks
    assert (name, task_options) == ("_recipe", {"num_cpus": TASK_CPUS})
    assert args == (options.with_models(device="cpu"),)
    assert [r.getMessage() for r in caplog.records] == [
        "the models are not on this machine: asking the cluster for their versions"
    ]


def test_a_model_the_cluster_cannot_find_is_our_error_not_rays(cluster, monkeypatch):
    class Missing(PinnedModels):
        def __init__(self, options):
            raise ModelNotAvailableError("mt: not found on the cluster")

    monkeypatch.setattr(runner, "ModelSet", Missing)
    with pytest.raises(ModelNotAvailableError, match="^mt: not found on the cluster$"):
        runner._cluster_recipe(cluster, OPTIONS)

    class Broken(PinnedModels):
        def __init__(self, options):
            raise OSError("disk on fire")

    monkeypatch.setattr(runner, "ModelSet", Broken)
    with pytest.raises(ray.exceptions.RayTaskError):
        runner._cluster_recipe(cluster, OPTIONS)


def test_every_node_loads_the_revisions_the_recipe_names():
    pinned = runner._pinned(
        OPTIONS, {"translation_model_revision": "a", "summary_model_revision": "b"}
    )
    assert (pinned.models.mt_revision, pinned.models.summary_revision) == ("a", "b")
    assert pinned.with_models(mt_revision=None, summary_revision=None) == OPTIONS


def test_the_driver_prepares_what_it_reads_or_says_why_not(tmp_path):
    docs = write(tmp_path, **{"a.txt": ENGLISH, "b.txt": ENGLISH, "c.txt": "", "d.txt": ENGLISH})
    recipe = PinnedModels(OPTIONS).recipe()
    assert isinstance(runner._prepare_here(docs[0], OPTIONS, recipe), Job)
    other = OutputLock(tmp_path / "b.summary.en.md")
    assert other.acquire()
    try:
        busy = runner._prepare_here(docs[1], OPTIONS, recipe)
    finally:
        other.release()
    assert busy.status == "skipped" and busy.reason.startswith("another translate run")
    empty = runner._prepare_here(docs[2], OPTIONS, recipe)
    assert (empty.status, empty.reason) == ("failed", f"{docs[2].path}: the file is empty")
    docs[3].path.unlink()
    gone = runner._prepare_here(docs[3], OPTIONS, recipe)
    assert gone.status == "failed" and gone.reason.startswith(f"{docs[3].path}: ")
    assert not list(tmp_path.glob(".*"))


def test_where_files_are_read_and_written(tmp_path):
    docs = write(tmp_path, **{"a.txt": ENGLISH})
    here = LocalRay(here="10.0.0.1")
    assert runner._workers_see_files(here, docs, RayOptions(io="shared")) is True
    assert runner._workers_see_files(here, docs, RayOptions(io="driver", address="local")) is False
    assert runner._workers_see_files(here, docs, RayOptions(address="local")) is True
    dead_elsewhere = {"NodeID": NODE_B, "Alive": False, "NodeManagerAddress": "10.0.0.2"}
    one_machine = LocalRay(nodes=[here.nodes()[0], dead_elsewhere], here="10.0.0.1")
    assert runner._workers_see_files(one_machine, docs, RayOptions()) is True
    assert one_machine.tasks == []  # no probe needed
    two = [here.nodes()[0], {**dead_elsewhere, "Alive": True}]
    elsewhere = LocalRay(nodes=two, here="10.0.0.1")
    assert runner._workers_see_files(elsewhere, docs, RayOptions()) is True  # probed: it sees them
    assert len(elsewhere.tasks) == 2
    assert all(args[0] is not None for _, _, args in elsewhere.tasks)  # in the existing folder
    assert not list(tmp_path.glob(".translate-ray-probe-*"))


def test_the_probe_asks_each_live_node_with_a_file_written_for_the_occasion(tmp_path):
    docs = write(tmp_path / "in", **{"a.txt": ENGLISH})
    docs[0] = docs[0].__class__(docs[0].path, tmp_path / "out" / "new", docs[0].stem)
    nodes = [
        {"NodeID": NODE_A, "Alive": True, "NodeManagerAddress": "10.0.0.1"},
        {"NodeID": NODE_B, "Alive": True, "NodeManagerAddress": "10.0.0.2"},
        {"NodeID": "c" * 56, "Alive": False, "NodeManagerAddress": "10.0.0.3"},
    ]
    local = LocalRay(nodes=nodes)
    assert runner.probe_shared_files(local, docs) is True
    assert local.timeouts == [300]
    stat = docs[0].path.stat()
    asked = []
    for name, options, args in local.tasks:
        strategy = options.pop("scheduling_strategy")
        asked.append((strategy.node_id, strategy.soft))
        assert (name, options) == ("_sees", {"num_cpus": 0})
        probe, token, source, size, mtime = args
        assert Path(probe).parent == tmp_path / "out" / "new"  # made for the probe
        assert Path(probe).name == f".translate-ray-probe-{token}" and len(token) == 16
        assert (source, size, mtime) == (str(docs[0].path), stat.st_size, stat.st_mtime_ns)
    assert asked == [(NODE_A, False), (NODE_B, False)]
    assert list((tmp_path / "out" / "new").iterdir()) == []  # the probe file is gone


def test_a_node_that_sees_other_files_or_cannot_answer_says_no(tmp_path, monkeypatch, caplog):
    docs = write(tmp_path, **{"a.txt": ENGLISH})
    local = LocalRay()

    def elsewhere(probe, token, source, size, mtime_ns):  # a node with its own a.txt
        return runner._sees(probe, token, source, size + 1, mtime_ns)

    monkeypatch.setattr(runner, "_sees", elsewhere)
    assert runner.probe_shared_files(local, docs) is False

    def crashes(*args):
        raise OSError("node lost")

    monkeypatch.setattr(runner, "_sees", crashes)
    with caplog.at_level(logging.INFO, logger=runner.log.name):
        assert runner.probe_shared_files(local, docs) is False
    (record,) = caplog.records
    assert record.getMessage().startswith("the shared-filesystem probe failed: ")
    assert record.args[0].cause.args == ("node lost",)
    assert not list(tmp_path.glob(".translate-ray-probe-*"))


def test_without_a_writable_output_folder_the_probe_judges_by_the_input(tmp_path):
    docs = write(tmp_path / "in", **{"a.txt": ENGLISH})
    (tmp_path / "file").write_text("x")
    docs[0] = docs[0].__class__(docs[0].path, tmp_path / "file" / "out", docs[0].stem)
    local = LocalRay()
    assert runner.probe_shared_files(local, docs) is True
    ((_, _, args),) = local.tasks
    assert args[0] is None


def test_a_node_sees_the_files_only_if_the_input_and_the_probe_match(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("text")
    probe = tmp_path / "probe"
    probe.write_text("tok", encoding="utf-8")
    stat = source.stat()
    size, mtime = stat.st_size, stat.st_mtime_ns
    assert runner._sees(str(probe), "tok", str(source), size, mtime) is True
    assert runner._sees(None, "tok", str(source), size, mtime) is True
    assert runner._sees(str(probe), "other", str(source), size, mtime) is False
    assert runner._sees(str(probe), "tok", str(source), size - 1, mtime) is False
    assert runner._sees(str(probe), "tok", str(source), size, mtime - 1) is False
    assert runner._sees(str(tmp_path / "none"), "tok", str(source), size, mtime) is False
    assert runner._sees(None, "tok", str(tmp_path / "none"), size, mtime) is False


def test_rays_deprecation_notes_on_retry_limits_are_hidden_and_nothing_else(cluster, tmp_path):
    docs = write(tmp_path, **{"a.txt": ENGLISH})
    cluster.notes = True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(runner.iter_results(docs, OPTIONS, RayOptions(io="shared")))
    assert [(w.category, str(w.message)) for w in caught] == [
        (UserWarning, "Translator: a note for the user"),
        (UserWarning, "Summarizer: a note for the user"),
    ]


def test_the_blocks_go_to_ray_pickled_as_the_stages_pickle_their_rows(cluster, tmp_path):
    docs = write(tmp_path, **{"a.txt": ENGLISH})
    list(runner.iter_results(docs, OPTIONS, RayOptions(io="shared")))
    ((items, _),) = cluster.from_items_calls
    (block,) = [pickle.loads(i["item"]) for i in items]
    assert items == [{"item": pickle.dumps(block, protocol=5)}]


@pytest.mark.parametrize("io", ["shared", "driver"])
def test_force_redoes_done_documents_at_every_stage(cluster, tmp_path, io):
    docs = write(tmp_path, **{"a.txt": GERMAN, "b.txt": ENGLISH})
    first = list(runner.iter_results(docs, OPTIONS, RayOptions(io=io)))
    assert [r.status for r in first] == ["written", "written"]
    forced = RunOptions(cache=False, force=True)
    again = list(runner.iter_results(docs, forced, RayOptions(io=io)))
    assert [(r.status, r.reason) for r in again] == [("written", None), ("written", None)]


def test_the_cluster_this_machine_belongs_to_is_asked_where_files_are(cluster, tmp_path, caplog):
    """`--ray-io auto` on a cluster of this machine's nodes: the workers see the files."""
    docs = write(tmp_path, **{"a.txt": ENGLISH})
    with caplog.at_level(logging.INFO, logger=runner.log.name):
        results = list(runner.iter_results(docs, OPTIONS, RayOptions()))
    assert [r.status for r in results] == ["written"]
    assert any(m.getMessage().endswith("; workers read and write") for m in caplog.records)
    assert cluster.tasks == [
        ("_recipe", {"num_cpus": TASK_CPUS}, (OPTIONS.with_models(device="cpu"),))
    ]


def test_a_cluster_of_other_machines_is_probed_for_the_run_s_files(cluster, tmp_path):
    cluster._nodes = [
        {"NodeID": NODE_A, "Alive": True, "NodeManagerAddress": cluster.here},
        {"NodeID": NODE_B, "Alive": True, "NodeManagerAddress": "10.0.0.2"},
    ]
    docs = write(tmp_path, **{"a.txt": ENGLISH})
    results = list(runner.iter_results(docs, OPTIONS, RayOptions()))
    assert [r.status for r in results] == ["written"]
    probes = [args for name, _, args in cluster.tasks if name == "_sees"]
    assert [a[2] for a in probes] == [str(docs[0].path)] * 2
    summarize = cluster.datasets[0].stages[2][1]
    assert summarize["fn_constructor_kwargs"]["write_here"] is True


def test_a_local_try_out_never_probes(tmp_path, monkeypatch):
    elsewhere = {"NodeID": NODE_B, "Alive": True, "NodeManagerAddress": "10.0.0.2"}
    local = LocalRay(nodes=[elsewhere], here="10.0.0.1")
    monkeypatch.setattr(runner, "_sees", lambda *args: False)
    docs = write(tmp_path, **{"a.txt": ENGLISH})
    assert runner._workers_see_files(local, docs, RayOptions()) is False  # as probed
    assert runner._workers_see_files(local, docs, RayOptions(address="local")) is True
    assert len(local.tasks) == 1


def test_a_probe_file_removed_meanwhile_is_no_error(tmp_path, monkeypatch):
    docs = write(tmp_path, **{"a.txt": ENGLISH})
    sees = runner._sees

    def sees_and_removes(probe, *args):
        answer = sees(probe, *args)
        Path(probe).unlink()  # a cleaner on the node, say
        return answer

    monkeypatch.setattr(runner, "_sees", sees_and_removes)
    assert runner.probe_shared_files(LocalRay(), docs) is True
