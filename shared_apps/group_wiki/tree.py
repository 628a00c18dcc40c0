"""A group's wiki pages as a tree, built in Python from one query's rows (no query per page or per level).

Used by the selectors (what a viewer sees: hidden pages, and everything under them, only for moderators)
and by the services (where a page may go: never under itself or its own subpage, never too deep).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from shared_apps.group_wiki.models import WikiPage

#: How deep pages nest (a top page is at depth 0): keeps the tree readable and its rendering bounded.
MAX_DEPTH = 8


@dataclass(eq=False)
class WikiNode:
    page: WikiPage
    parent: WikiNode | None = None
    depth: int = 0
    children: list[WikiNode] = field(default_factory=list)
    #: The page, or one above it, is hidden by a moderator (such nodes are in a moderator's tree only).
    hidden: bool = False

    def ancestors(self) -> list[WikiNode]:
        """The pages above this one, the top one first."""
        chain: list[WikiNode] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def descendants(self) -> Iterator[WikiNode]:
        """Every page under this one, depth first."""
        stack = list(reversed(self.children))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def height(self) -> int:
        """How many levels of subpages hang under this page (0: none)."""
        return max((node.depth - self.depth for node in self.descendants()), default=0)


@dataclass
class WikiTree:
    roots: list[WikiNode]
    by_id: dict[int, WikiNode]

    def flat(self) -> list[WikiNode]:
        """Every page, depth first, each after the page it is under (for indented lists and choices)."""
        nodes: list[WikiNode] = []
        for root in self.roots:
            nodes.append(root)
            nodes.extend(root.descendants())
        return nodes

    def find(self, slug: str) -> WikiNode | None:
        return next((node for node in self.by_id.values() if node.page.slug == slug), None)

    def __len__(self) -> int:
        return len(self.by_id)


def build_tree(pages: Iterable[WikiPage], *, include_hidden: bool) -> WikiTree:
    """The tree of ``pages`` (all of one group, in the order siblings are shown). Without ``include_hidden``
    a hidden page is left out with everything under it. Rows that do not hang from a top page (which the
    services never let happen) are left out too."""
    nodes = {page.pk: WikiNode(page=page) for page in pages}
    roots: list[WikiNode] = []
    for node in nodes.values():
        parent_id = node.page.parent_id
        if parent_id is None:
            roots.append(node)
        elif parent_id in nodes:
            nodes[parent_id].children.append(node)
    reachable: dict[int, WikiNode] = {}
    kept_roots = [root for root in roots if include_hidden or not root.page.is_hidden]
    stack = list(kept_roots)
    while stack:
        node = stack.pop()
        reachable[node.page.pk] = node
        node.hidden = node.page.is_hidden or (node.parent is not None and node.parent.hidden)
        if not include_hidden:
            node.children = [child for child in node.children if not child.page.is_hidden]
        for child in node.children:
            child.parent, child.depth = node, node.depth + 1
            stack.append(child)
    return WikiTree(roots=kept_roots, by_id=reachable)
