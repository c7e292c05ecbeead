// Target elision applies to unions too: `for Resource` lends the resource's
// identifiers and properties, `with [Mixin]` the mixin's members, and
// `$name` takes the target from there.
$version: "2.0"
namespace example.elision

resource Forecast {
    identifiers: { region: String }
    properties: { days: Integer }
}

@mixin
union Labelled {
    label: String
}

union Lookup for Forecast with [Labelled] {
    $region
    $days
    $label
}
