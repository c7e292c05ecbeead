// An unquoted node value is a shape id; one that names no shape is an error
// (quote strings).
// expect: E0127 6:19
// expect: E0127 8:8
$version: "2.0"
metadata modes = [fastslow, "fast"]
namespace example.invalid
@tags([example.invalid#Missing])
string Name
