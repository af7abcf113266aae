"""Is a subject's code acceptable: a valid unified social credit code, or a whitelisted legacy one."""
from __future__ import annotations

from disclosure.credit_code import credit_code_problem
from disclosure.models import CreditCodeWhitelist


def credit_code_error(code: str, whitelist: set[str] | None = None) -> str | None:
    """Why ``code`` is not acceptable, or None. A legacy code an administrator whitelisted (codes
    issued before GB 32100 whose check character is wrong) is acceptable; ``whitelist``, when
    given, is the whole list read once for a file of rows."""
    problem = credit_code_problem(code)
    if problem is None:
        return None
    if whitelist is not None:
        return None if code in whitelist else problem
    return None if CreditCodeWhitelist.objects.filter(code=code).exists() else problem
