// A node object key is an identifier or a string, never a shape id; the error
// is at the first character that is not an identifier character.
// expect: E0058 6:12
$version: "2.0"
metadata settings = {
    example.invalid#key: "x"
}
namespace example.invalid
