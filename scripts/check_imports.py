"""The layering rules import-linter cannot state, run by `make lint` (after `lint-imports`).

1. No import cycle between the modules of ``trust_lesson`` (imports inside functions count
   too, so a deferred import cannot hide a cycle).
2. ``trust_lesson.vision`` imports nothing else of the project.

Exit 1 with every cycle / offending import listed.
"""

import sys
from collections.abc import Iterable

import grimp

PACKAGE = "trust_lesson"
VISION = "trust_lesson.vision"


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work: list[tuple[str, Iterable[str]]] = [(root, iter(_imports(graph, root)))]
        _visit(root, index, low, stack, on_stack)
        while work:
            module, children = work[-1]
            child = next(iter(children), None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    component = _pop_component(module, stack, on_stack)
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                _visit(child, index, low, stack, on_stack)
                work.append((child, iter(_imports(graph, child))))
            elif child in on_stack:
                low[module] = min(low[module], index[child])
    return found


def _imports(graph: grimp.ImportGraph, module: str) -> list[str]:
    return sorted(m for m in graph.find_modules_directly_imported_by(module) if m in graph.modules)


def _visit(
    module: str, index: dict[str, int], low: dict[str, int], stack: list[str], on: set[str]
) -> None:
    index[module] = low[module] = len(index)
    stack.append(module)
    on.add(module)


def _pop_component(module: str, stack: list[str], on_stack: set[str]) -> list[str]:
    component = []
    while True:
        member = stack.pop()
        on_stack.discard(member)
        component.append(member)
        if member == module:
            return component


def vision_leaks(graph: grimp.ImportGraph) -> list[str]:
    leaks = []
    for module in sorted(graph.find_children(VISION) | graph.find_descendants(VISION)):
        for imported in _imports(graph, module):
            if not (imported == VISION or imported.startswith(VISION + ".")):
                leaks.append(f"{module} imports {imported}")
    return leaks


def main() -> int:
    graph = grimp.build_graph(PACKAGE)
    problems = [f"import cycle: {' <-> '.join(component)}" for component in cycles(graph)]
    problems += [f"vision imports the project: {leak}" for leak in vision_leaks(graph)]
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"{len(graph.modules)} modules: no import cycle; vision imports nothing of the project")
    return 0


if __name__ == "__main__":
    sys.exit(main())
