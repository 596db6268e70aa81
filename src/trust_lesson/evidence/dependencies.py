from typing import Annotated

from fastapi import Depends

from trust_lesson.deps import RuntimeDep
from trust_lesson.evidence.keys import SchoolKeys


def get_school_keys(runtime: RuntimeDep) -> SchoolKeys:
    return runtime.school_keys


SchoolKeysDep = Annotated[SchoolKeys, Depends(get_school_keys)]
