"""Verbs by subcategorisation class (``base``, ``base|past`` or ``base|past|3sg``).

A verb may sit in several classes; its irregular forms need to be given once.
"""

# Intransitive verbs with animate subjects: "the author laughs".
INTRANSITIVE = """
laugh smile swim|swam sleep|slept run|ran walk dance sing|sang cry wait arrive leave|left
sit|sat stand|stood talk shout whisper sneeze cough yawn giggle frown blush sigh pray rest
relax travel|traveled work play grow|grew live breathe hide|hid fly|flew climb wander hurry
panic|panicked retire vote complain hesitate agree exercise meditate snore dream shiver
tremble stumble kneel|knelt nod|nodded grin|grinned sob|sobbed jog|jogged dive sail
ski|skied skate surf hike camp cheer clap|clapped celebrate succeed fail compete struggle
suffer recover survive vanish disappear appear escape return stay listen speak|spoke scream
yell mumble stutter chuckle weep|wept starve bleed|bled sweat wink limp crawl march gossip
argue apologize improvise rehearse preach testify resign jump smirk pout sulk squeal wobble
doze nap|napped linger loiter roam stroll sprint tiptoe waddle
"""

# Intransitive verbs with inanimate subjects: "the keys fall".
INTRANSITIVE_THING = """
fall|fell shine|shone float sink|sank break|broke shake|shook move work burn melt crack rust
glow rattle spin|spun roll collapse vibrate leak drip|dripped squeak creak bend|bent fade
freeze|froze open close swing|swung tilt wobble shrink|shrank expand explode shatter
sparkle flicker glitter
"""

# Transitive verbs with animate objects: "the author likes the guards".
TRANSITIVE_ANIMATE = """
like admire hate love meet|met know|knew see|saw help thank visit call watch follow chase
attack greet hug|hugged kiss praise blame trust fear respect ignore annoy amuse impress
surprise confuse scare insult criticize defend protect rescue save serve teach|taught hire
pay|paid remember forget|forgot recognize miss avoid interview invite marry encourage
inspire support congratulate envy pity adore punish reward accuse arrest catch|caught
find|found hurt|hurt injure push pull lead|led guide warn advise trick fool betray
forgive|forgave understand|understood disturb bother entertain welcome notice observe
approach join accompany embarrass distrust tickle comfort console frighten scold tease
mock flatter applaud admonish
"""

# Verbs that take a reflexive object naturally: "the senators hurt themselves".
REFLEXIVE = """
hurt admire blame see love hate praise injure defend protect trust criticize respect like
embarrass distrust comfort scold tease mock flatter applaud push introduce enjoy remind
convince doubt cut|cut scratch wash prepare
"""

# Transitive verbs with inanimate objects (human subjects): "the author reads the books".
TRANSITIVE_THING = """
read|read write|wrote build|built repair buy|bought sell|sold want need own break fix clean
wash open close carry move lift drop|dropped paint draw|drew cook eat|ate drink|drank bake
borrow lend|lent steal|stole hide find lose|lost keep|kept bring|brought send|sent take|took
give|gave use study design create destroy examine inspect check test sign order deliver pack
wrap|wrapped fold hold|held throw|threw catch collect measure weigh polish decorate describe
explain discuss mention publish print translate edit review approve reject prefer|preferred
choose|chose select enjoy appreciate remember forget notice watch see touch grab|grabbed
shake hit|hit kick burn bury plant grow pick rent share return replace remove install load
unload fill hang|hung pour stir|stirred slice chop|chopped peel taste smell admire like love
hate
"""

# Verbs with a sentential complement: "the mechanic says (that) the author laughs".
SENTENTIAL = """
say|said think|thought believe know claim hope fear assume suggest report announce
admit|admitted insist argue explain mention deny doubt feel|felt hear|heard notice realize
remember forget guess imagine predict promise reveal confirm declare discover learn|learned
pretend recall suppose understand worry agree complain estimate conclude proclaim write
whisper shout joke boast confess testify
"""

# Verbs with an infinitival complement: "the author likes to swim".
INFINITIVAL = """
want like love hate hope try plan|planned need decide prefer refuse agree promise expect
attempt intend manage fail forget remember learn pretend offer seem choose wish continue
begin|began start deserve hesitate threaten arrange prepare struggle tend
"""
