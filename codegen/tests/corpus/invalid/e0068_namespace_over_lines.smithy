// `namespace` and its name must be on one line.
// expect: E0068 4:10
$version: "2.0"
namespace
    example.invalid
