// `use` statements come before shapes.
// expect: E0064 7:1
$version: "2"
namespace example.invalid

string Name
use smithy.api#String
