"""Adjectives, adverbs and proper names."""

# Adjectives that describe people and animals: "the tired author".
ADJECTIVES_ANIMATE = """
happy sad tired angry hungry thirsty brave clever smart kind rude polite shy proud nervous
calm lazy busy friendly honest jealous lonely lucky wise foolish curious careful cheerful
gentle generous grumpy sleepy sick healthy strong weak rich poor young anxious confident
excited bored worried scared ambitious arrogant bold cautious charming cruel eager fierce
funny graceful greedy guilty helpful humble innocent intelligent loyal modest patient
reliable selfish sensible serious silly sincere stubborn talented thoughtful tough upset
wicked witty brilliant clumsy diligent energetic faithful fearless gifted gloomy grateful
hopeful hostile impatient lively mature merry naughty nosy obedient optimistic pessimistic
playful powerful puzzled relaxed restless romantic sensitive skilled skeptical strict
successful suspicious sympathetic tender timid tolerant unhappy vain weary wealthy handsome
elderly cheeky fussy jolly loving moody sneaky sweaty
"""

# Adjectives that describe things: "the broken keys".
ADJECTIVES_THING = """
broken heavy red blue green yellow black white brown gray wooden plastic empty full clean
dirty large long wide narrow thick thin round square flat sharp soft hard smooth rough wet
dry hot cold warm cool bright dark shiny rusty dusty expensive cheap valuable useful useless
fragile sturdy ancient modern antique ordinary simple complex colorful golden silver leather
noisy fresh rotten sweet sour bitter salty spicy delicious tasty stale ripe frozen closed
locked hollow solid tight loose crooked straight curved steep deep shallow bare crowded
spacious cozy fancy precious rare common hidden stolen borrowed damaged torn cracked faded
polished painted purple pink enormous miniature portable electric digital broad sticky
"""

# Adjectives for anything: "the strange keys", "the strange author".
ADJECTIVES_ANY = """
old new big small tiny huge tall short beautiful ugly strange famous nice good bad great
terrible wonderful lovely pretty odd unusual popular important special perfect dangerous
safe quiet loud pleasant awful excellent familiar mysterious
"""

# Manner adverbs, after the verb phrase: "the author laughs loudly".
ADVERBS_MANNER = """
quickly slowly loudly quietly happily sadly carefully gently badly eagerly angrily calmly
patiently politely rudely softly suddenly proudly nervously bravely easily seriously
silently warmly wildly briefly openly secretly honestly smoothly cheerfully gracefully
clumsily anxiously fiercely gladly foolishly wisely tenderly rapidly steadily deliberately
casually carelessly cautiously confidently curiously desperately elegantly enthusiastically
freely generously hastily heavily hungrily innocently joyfully lazily madly merrily
mysteriously naturally neatly noisily obediently perfectly playfully poorly promptly
recklessly reluctantly repeatedly sharply shyly sleepily sternly swiftly thoughtfully
tightly urgently vigorously wearily weakly
"""

# Adverbs before the finite verb: "the author often laughs".
ADVERBS_PREVERBAL = """
often always never sometimes usually rarely seldom really clearly certainly probably finally
still also just truly surely
"""

# Sentence-initial adverbs: "today the author laughs".
ADVERBS_INITIAL = """
today sometimes usually often now clearly apparently luckily unfortunately suddenly
meanwhile naturally fortunately obviously evidently honestly
"""

# Degree adverbs, before a predicative adjective: "the keys are very old".
ADVERBS_DEGREE = """
very quite rather extremely really so too fairly
"""

NAMES_MALE = """
john james robert michael william david richard joseph thomas charles daniel matthew anthony
paul steven andrew kenneth george joshua kevin brian edward ronald timothy jason jeffrey ryan
jacob gary nicholas eric stephen jonathan larry justin scott brandon benjamin gregory samuel
raymond patrick alexander dennis jerry tyler aaron henry peter adam nathan zachary walter
kyle harold carl jeremy keith roger gerald ethan arthur terry sean lawrence austin noah jesse
albert bryan bruce dylan alan ralph gabriel roy juan wayne eugene logan randy louis russell
vincent philip bradley oliver hugo felix leo oscar victor simon martin luke ivan omar
"""

NAMES_FEMALE = """
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa margaret
betty sandra ashley dorothy kimberly emily donna michelle amanda melissa deborah stephanie
rebecca laura sharon cynthia kathleen amy shirley angela helen anna brenda pamela nicole
samantha katherine emma ruth christine catherine rachel carolyn janet virginia maria heather
diane julie joyce victoria kelly christina lauren joan evelyn olivia judith megan cheryl
martha andrea frances hannah jacqueline gloria jean kathryn alice teresa sara janice doris
julia judy abigail marie denise beverly theresa marilyn danielle diana natalie sophia
isabella alexis kayla charlotte clara lucy sophie zoe chloe mia ava ella nora irene vera
"""
