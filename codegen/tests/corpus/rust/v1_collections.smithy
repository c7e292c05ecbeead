// Lists, sets, maps, sparse collections and nesting.
metadata package = [{ namespace: "weld.test.collections", crate: "snap-collections" }]

namespace weld.test.collections

/// Strings.
list Names { member: String }

/// A set: a Vec on the wire.
set Tags { member: String }

/// Unique items: also a Vec.
@uniqueItems
list Ids { member: Integer }

/// Name to count.
map Counts { key: String, value: Integer }

/// Nested collections.
map Groups { key: String, value: Names }

/// A list that may hold nulls.
@sparse
list Holes { member: String }

/// Blobs in a list.
list Chunks { member: Blob }

/// Uses every collection.
structure Bag {
    @required names: Names,
    @required tags: Tags,
    ids: Ids,
    @required counts: Counts,
    groups: Groups,
    holes: Holes,
    chunks: Chunks,
}
