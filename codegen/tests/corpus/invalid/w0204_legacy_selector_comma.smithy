// wasmCloud models write alternatives with a top-level comma.
// expect: W0204 5:8
namespace example.invalid

@trait(selector: "long,integer,short,byte")
structure unsignedInt {}

@unsignedInt
long Count
