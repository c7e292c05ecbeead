// A trait value's `(` follows the trait name directly; after a space it is
// not part of the trait.
// expect: E0050 6:8
$version: "2.0"
namespace example.invalid
@since ("1.0")
string Name
