$version: "2.0"

namespace example.rename

/// Two shapes named `Widget` in the service closure: `rename` resolves it.
service Store {
    version: "1"
    operations: [PutWidget, PutOtherWidget]
    errors: [StoreError]
    rename: {
        "example.other#Widget": "OtherWidget"
    }
}

operation PutWidget {
    input: Widget
    output: Unit
}

operation PutOtherWidget {
    // An absolute shape id needs no `use`.
    input: example.other#Widget
}

structure Widget {}

@error("server")
structure StoreError {}
