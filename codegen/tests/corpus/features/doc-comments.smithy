$version: "2.0"

namespace example.docs

/// Documentation comments become the documentation trait.
/// Several lines are joined with newlines.
structure Documented {
    /// On a member.
    member: String

    /// Before traits.
    @required
    other: String

    // A plain comment is not documentation.
    undocumented: String
}

///Without a space after the slashes.
///   With extra indentation kept beyond the first space.
string Spacing

/// An enum: its members carry their own doc comments.
enum Choice {
    /// The first.
    FIRST
    SECOND
}

string Before
/// After a simple shape, with no blank line.
string After
