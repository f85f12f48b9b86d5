"""An in-memory view of a framework tree: effective maxima, leaves, fields. Load once, reuse."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from cchc.frameworks.models import Band, Framework, Node


@dataclass
class TreeNode:
    id: int
    code: str
    name: str
    parent_id: int | None
    max_points: Decimal
    rule: dict
    evidence_required: bool
    depth: int = 0
    children: list[TreeNode] = field(default_factory=list)
    field_id: int | None = None  # the top-level ancestor (lĩnh vực)

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass
class BandSpec:
    code: str
    name: str
    min_index: Decimal
    min_field_ratio: Decimal | None
    color: str


@dataclass
class FrameworkTree:
    framework_id: int
    roots: list[TreeNode]
    by_id: dict[int, TreeNode]
    leaves: list[TreeNode]
    bands: list[BandSpec]

    @property
    def fields(self) -> list[TreeNode]:
        return self.roots

    @property
    def max_points(self) -> Decimal:
        return sum((r.max_points for r in self.roots), Decimal(0))

    def walk(self):
        """Depth-first, in order: (node, depth)."""
        stack = [(n, 0) for n in reversed(self.roots)]
        while stack:
            node, depth = stack.pop()
            yield node
            stack.extend((c, depth + 1) for c in reversed(node.children))


def build_tree(framework: Framework | int) -> FrameworkTree:
    fw_id = framework if isinstance(framework, int) else framework.pk
    rows = list(
        Node.objects.filter(framework_id=fw_id)
        .order_by("order", "id")
        .values("id", "code", "name", "parent_id", "max_points", "rule", "evidence_required")
    )
    by_id = {
        r["id"]: TreeNode(
            id=r["id"],
            code=r["code"],
            name=r["name"],
            parent_id=r["parent_id"],
            max_points=r["max_points"],  # type: ignore[arg-type]  # resolved below when None
            rule=r["rule"] or {},
            evidence_required=r["evidence_required"],
        )
        for r in rows
    }
    roots: list[TreeNode] = []
    for node in by_id.values():
        (by_id[node.parent_id].children if node.parent_id else roots).append(node)

    leaves: list[TreeNode] = []

    def resolve(node: TreeNode, depth: int, field_id: int) -> Decimal:
        node.depth = depth
        node.field_id = field_id
        child_sum = sum((resolve(c, depth + 1, field_id) for c in node.children), Decimal(0))
        if node.max_points is None:
            node.max_points = child_sum
        if node.is_leaf:
            leaves.append(node)
        return node.max_points

    for root in roots:
        resolve(root, 0, root.id)
    bands = [
        BandSpec(b.code, b.name, b.min_index, b.min_field_ratio, b.color)
        for b in Band.objects.filter(framework_id=fw_id).order_by("-min_index", "order")
    ]
    return FrameworkTree(framework_id=fw_id, roots=roots, by_id=by_id, leaves=leaves, bands=bands)
