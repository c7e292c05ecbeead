// Recursive shapes are boxed.
metadata package = [{ namespace: "weld.test.recursive", crate: "snap-recursive" }]

namespace weld.test.recursive

use org.wasmcloud.model#n

/// A linked list.
structure Node {
    @required
    value: Integer,
    next: Node,
}

/// A tree through a list (no box needed).
structure Tree {
    @required
    label: String,
    children: Trees,
}

list Trees { member: Tree }

/// Mutual recursion.
structure Ping {
    pong: Pong,
}

structure Pong {
    ping: Ping,
}

/// A recursive union.
union Expr {
    @n(0)
    lit: Integer,
    @n(1)
    neg: Expr,
    @n(2)
    sum: Exprs,
}

list Exprs { member: Expr }
