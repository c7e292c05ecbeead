$version: "2.0"

metadata tags = ["a", "b"]
metadata owner = "team-one"
metadata "quoted key" = { nested: { deep: [1, 2, 3] } }

namespace example.meta

string OnlyShape
