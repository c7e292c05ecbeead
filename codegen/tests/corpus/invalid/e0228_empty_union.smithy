// A union needs at least one member.
// expect: E0228 5:1
$version: "2"
namespace example.invalid
union Choice {}
