// @range with min greater than max.
// expect: E0218 6:8
$version: "2"
namespace example.invalid

@range(min: 10, max: 1)
integer Percent
