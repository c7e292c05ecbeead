// In inline input/output, traits and the `with` list may follow `:=` on
// their own lines.
$version: "2.0"
namespace example.inlinelayout

@mixin
structure Paged {
    token: String
}

operation List {
    input :=
        @sensitive
        with [Paged] {
            size: Integer
        }
}
