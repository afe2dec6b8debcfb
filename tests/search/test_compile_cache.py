import pathlib
import sys

import pytest

from biojax.search import use_compile_cache

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from search_testkit import fresh_python  # noqa: E402

CACHED_PROGRAM = """
    import sys
    import jax, jax.numpy as jnp
    from biojax.search import use_compile_cache
    jax.jit(jnp.cos)(1.0)  # JAX has compiled before the cache is turned on
    use_compile_cache(sys.argv[1], min_compile_seconds=0)
    hits = []
    jax.monitoring.register_event_listener(
        lambda event, **kwargs: hits.append(event) if event.endswith("/cache_hits") else None)
    print(float(jax.jit(lambda x: jnp.sum(jnp.sin(x) ** 2))(jnp.arange(7.0))), len(hits))
"""


def test_second_process_loads_the_program_from_the_cache(tmp_path):
    cache = tmp_path / "cache"
    value, hits = fresh_python(CACHED_PROGRAM, str(cache))
    assert hits == "0" and any(cache.iterdir())
    again, hits = fresh_python(CACHED_PROGRAM, str(cache))
    assert again == value and int(hits) >= 1


def test_switching_directories_in_one_process(tmp_path):
    script = """
        import sys
        import jax, jax.numpy as jnp
        from biojax.search import use_compile_cache
        use_compile_cache(sys.argv[1], min_compile_seconds=0)
        jax.jit(jnp.sin)(1.0)
        use_compile_cache(sys.argv[2], min_compile_seconds=0)
        jax.jit(jnp.tanh)(1.0)
        use_compile_cache(None)
        jax.jit(jnp.exp)(1.0)
    """
    first, second = tmp_path / "first", tmp_path / "second"
    fresh_python(script, str(first), str(second))
    assert len(list(first.iterdir())) == 1  # sin only: later programs went elsewhere or nowhere
    assert len(list(second.iterdir())) == 1  # tanh only: the cache was off for exp


def test_search_command_sets_the_cache_directory(tmp_path):
    script = ("import sys, jax; from biojax.cli import main; "
              "main(sys.argv[1:]); print(jax.config.jax_compilation_cache_dir)")
    cache = tmp_path / "programs"
    out = fresh_python(script, "search", "--dataset", "digits", "--max-params", "3000", "--fast", "--quiet",
                       "--out", str(tmp_path / "r.jsonl"), "--compile-cache", str(cache))
    assert out[-1] == str(cache) and cache.is_dir()


def test_bad_cache_directories_are_rejected(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(ValueError, match="must be a directory"):
        use_compile_cache(a_file)
    with pytest.raises(TypeError, match="directory must be a str, os.PathLike or None"):
        use_compile_cache(3)
    with pytest.raises(ValueError, match="min_compile_seconds"):
        use_compile_cache(tmp_path, min_compile_seconds=-1)
