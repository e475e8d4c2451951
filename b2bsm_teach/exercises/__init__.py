"""The instructor's side of the exercise sets: answer keys, build, release.

::

    python -m b2bsm_teach.exercises build            # solutions/*_exercises.ipynb -> exercises/
    python -m b2bsm_teach.exercises build --check    # fail if exercises/ or a master is stale
    python -m b2bsm_teach.exercises release OUTDIR --roster roster.csv   # release, hashed key

* :mod:`~b2bsm_teach.exercises.sets`: one answer-key module per set;
* :mod:`~b2bsm_teach.exercises.build`: write the student notebooks from the masters;
* :mod:`~b2bsm_teach.exercises.keys`: hashed keys (a release) and grading keys (the sandbox);
* :mod:`~b2bsm_teach.exercises.release`: a student release (``b2bsm/`` whole, hashed keys).

The student's runtime (``start``, questions, checking) is :mod:`b2bsm.exercises`.
"""
