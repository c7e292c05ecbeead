// A key repeated inside a trait value.
// expect: E0060 6:16
$version: "2"
namespace example.invalid

@range(min: 1, min: 2)
integer Small
