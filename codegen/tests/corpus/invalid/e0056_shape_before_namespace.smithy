// Shapes need a namespace statement first.
// expect: E0056 4:1
$version: "2"
string Name
