extension Rope {
    /// A rope's UTF-8 as a sequence of non-empty chunks that never split a scalar. Each chunk
    /// shares the rope's storage (copy-on-write), so writing a snapshot copies nothing.
    public struct Chunks: Sequence, Sendable {
        let root: RopeNode

        /// An iterator over the chunks.
        public func makeIterator() -> Iterator {
            Iterator(root: root)
        }

        /// Walks the leaves depth first with an explicit path (height is O(log n)).
        public struct Iterator: IteratorProtocol, Sendable {
            /// The inner nodes on the path and the index of the next child to visit in each.
            private var path: [(node: RopeNode, next: Int)]
            private var pendingLeaf: RopeNode?

            init(root: RopeNode) {
                path = []
                pendingLeaf = nil
                if root.isLeaf {
                    pendingLeaf = root
                } else {
                    path.append((root, 0))
                }
            }

            /// The next chunk, or nil at the end.
            public mutating func next() -> [UInt8]? {
                if let leaf = pendingLeaf {
                    pendingLeaf = nil
                    if !leaf.bytes.isEmpty {
                        return leaf.bytes
                    }
                }
                while let top = path.last {
                    guard top.next < top.node.children.count else {
                        path.removeLast()
                        continue
                    }
                    path[path.count - 1].next += 1
                    let child = top.node.children[top.next]
                    if child.isLeaf {
                        return child.bytes
                    }
                    path.append((child, 0))
                }
                return nil
            }
        }
    }
}
