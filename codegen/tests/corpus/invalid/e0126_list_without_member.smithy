// A list needs its `member` (no mixin could supply it).
// expect: E0126 5:6
$version: "2.0"
namespace example.invalid
list Names {}
