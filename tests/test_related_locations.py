"""Multi-site findings point at their other site: AIO303 names the opposite acquisition."""

from __future__ import annotations

import textwrap

from asynclint.engine import check_source
from asynclint.settings import Settings

SOURCE = textwrap.dedent(
    """\
    import asyncio

    class Bank:
        def __init__(self):
            self.a = asyncio.Lock()
            self.b = asyncio.Lock()

        async def one(self):
            async with self.a:
                async with self.b:
                    pass

        async def two(self):
            async with self.b:
                async with self.a:
                    pass
    """
)


def test_lock_order_inversion_relates_each_site_to_the_other() -> None:
    result = check_source(SOURCE.encode(), "bank.py", Settings())
    found = {
        (d.line, tuple((r.line, r.message) for r in d.related))
        for d in result.diagnostics
        if d.code == "AIO303"
    }
    assert found == {
        (10, ((15, "`Bank.two` takes the locks the other way"),)),
        (15, ((10, "`Bank.one` takes the locks the other way"),)),
    }
