$version: "2.0"

// Arrays under the same key are concatenated.
metadata tags = ["c"]
metadata limits = { max: 10, ratio: 0.5, on: true, none: null }

namespace example.meta2
