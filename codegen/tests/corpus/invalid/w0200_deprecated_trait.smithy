// The @enum trait is deprecated in IDL 2.0 models.
// expect: W0200 6:1
$version: "2"
namespace example.invalid

@enum([{ value: "a" }])
string Letter
