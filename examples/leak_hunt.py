"""The leak hunt of objgraph's README, end to end, then a snapshot rendered offline.

Run by scripts/demo.sh in a fresh folder (demo-output/): it writes sample-graph.png,
sample-backref-graph.png, chain.png and leak.pb there.
"""
import random
import sys

import objgraph

print("objgraph from", objgraph.__file__)

# Quick start
x = []
y = [x, [x], dict(x=x)]
objgraph.show_refs([y], filename='sample-graph.png')
objgraph.show_backrefs([x], filename='sample-backref-graph.png')

# Memory leak example
objgraph.show_most_common_types()


class MyBigFatObject(object):
    pass


def computate_something(_cache={}):
    _cache[42] = dict(foo=MyBigFatObject(),
                      bar=MyBigFatObject())
    # a very explicit and easy-to-find "leak" but oh well
    x = MyBigFatObject()  # this one doesn't leak


objgraph.show_growth(limit=3)
computate_something()
objgraph.show_growth()

objgraph.show_chain(
    objgraph.find_backref_chain(
        random.choice(objgraph.by_type('MyBigFatObject')),
        objgraph.is_proper_module),
    filename='chain.png')

# Reference counting bugs: legitimate roots
roots = objgraph.get_leaking_objects()
print(len(roots), "objects with no referrers")
objgraph.show_most_common_types(objects=roots)

# Beyond objgraph: save the whole heap, analyse it later (objgraph-tool, another process, machine...)
leaked_id = id(objgraph.by_type('MyBigFatObject')[0])  # an id only: no reference kept
snap = objgraph.snapshot()
snap.save('leak.pb')
print("snapshot saved to leak.pb; a leaked MyBigFatObject has id 0x%x" % leaked_id)
with open('leaked-id.txt', 'w') as f:
    f.write('0x%x\n' % leaked_id)
sys.stdout.flush()
