// A local shape named `Unit` does not conflict with `smithy.api#Unit` in a
// service closure: the prelude is not part of the closure. Operations
// without input or output have `smithy.api#Unit` for them in IDL 2.0.
$version: "2.0"
namespace example.unit

service Meter {
    version: "1"
    operations: [Read]
}

operation Read {
    output := {
        unit: Unit
    }
}

structure Unit {
    symbol: String
}
