// IDL 1.0 @enum trait with a repeated value.
// expect: E0217 8:14
namespace example.invalid

@enum([
    { value: "a", name: "A" }
    { value: "b", name: "B" }
    { value: "a", name: "C" }
])
string Letter
