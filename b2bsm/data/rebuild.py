"""Regenerate the shipped data: which module owns which dataset file.

Every generated dataset has its module in ``b2bsm/data/`` (``RESOURCE`` and
``build_table``); this is the one list of them.  ``python -m b2bsm.data build``
calls :func:`build`.
"""

from __future__ import annotations

from pathlib import Path

from b2bsm.data import b2b_vs_b2c, crm, posts, survey
from b2bsm.data._package import write_package

#: Generated datasets: resource name -> the module that owns it.
GENERATED = {
    "survey_b2b_2011": survey,
    "b2b_vs_b2c": b2b_vs_b2c,
    "posts_b2b": posts,
    "crm_pipeline": crm,
}


def build(out_dir: Path | None = None, names: list[str] | None = None) -> Path:
    """Regenerate dataset files and ``datapackage.json``, byte for byte the same on every run.

    Parameters
    ----------
    out_dir : path, optional
        Folder to write into (default: the kit's ``data/`` folder).
    names : list of str, optional
        Datasets to rebuild (default: all generated datasets).  Resources that
        are not rebuilt keep their existing descriptor.

    Returns
    -------
    Path
        The path of the written ``datapackage.json``.

    See Also
    --------
    b2bsm.data.load_survey, b2bsm.data.load_posts, b2bsm.data.load_crm : the files it
        writes, read back and verified.
    """
    unknown = sorted(set(names or ()) - set(GENERATED))
    if unknown:
        raise KeyError(
            f"Unknown dataset {unknown[0]!r}. Known datasets: {', '.join(sorted(GENERATED))}."
        )
    return write_package(GENERATED, out_dir, names)
