// An @input structure may be the input of only one operation.
// expect: E0223 11:12
$version: "2"
namespace example.invalid

operation First {
    input: SharedInput
}

operation Second {
    input: SharedInput
}

@input
structure SharedInput {}
