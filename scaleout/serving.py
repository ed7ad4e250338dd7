"""How the project's server processes are run (scripts/run.py, deploy/docker/entrypoint.py, the bench)."""

# A server answers one turn at a time per process (scale by processes: replicas, one per core).
# TensorFlow's and BLAS's thread pools make a turn's small matrices no faster, and their threads
# spinning between operations cost about as much CPU as the turn itself (bench: CPU per turn 41 ms
# with the defaults, 22 ms with these). Set in the environment to override.
SERVING_THREADS = {
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
}
