// A map needs `key` and `value`; one error names both.
// expect: E0126 4:5
namespace example.invalid
map Index {}
