"""Nouns: gendered and common-gender human nouns, animals, things (``singular|plural``)."""

# Gendered human nouns as ``masculine/feminine`` pairs.
HUMAN_PAIRS = """
king/queen prince/princess actor/actress waiter/waitress man|men/woman|women boy/girl
father/mother son/daughter brother/sister uncle/aunt husband/wife|wives nephew/niece
grandfather/grandmother grandson/granddaughter monk/nun duke/duchess lord/lady
emperor/empress host/hostess steward/stewardess heir/heiress god/goddess baron/baroness
businessman|businessmen/businesswoman|businesswomen policeman|policemen/policewoman|policewomen
chairman|chairmen/chairwoman|chairwomen salesman|salesmen/saleswoman|saleswomen
sportsman|sportsmen/sportswoman|sportswomen spokesman|spokesmen/spokeswoman|spokeswomen
congressman|congressmen/congresswoman|congresswomen landlord/landlady groom/bride
schoolboy/schoolgirl stepfather/stepmother stepson/stepdaughter godfather/godmother
widower/widow hero|heroes/heroine wizard/witch sorcerer/sorceress abbot/abbess
priest/priestess headmaster/headmistress tsar/tsarina lad/lass boyfriend/girlfriend
fireman|firemen/firewoman|firewomen cowboy/cowgirl viscount/viscountess \
patriarch|patriarchs/matriarch|matriarchs
gentleman|gentlemen/gentlewoman|gentlewomen grandpa/grandma dad/mom
"""

HUMAN_COMMON = """
author senator teacher doctor lawyer pilot farmer student surgeon mechanic officer soldier
guard customer manager engineer architect painter writer poet singer dancer musician artist
scientist professor journalist reporter editor banker clerk cashier driver passenger tourist
traveler neighbor friend child|children person|people parent cousin baby pupil athlete
player coach referee judge juror witness suspect prisoner thief|thieves criminal detective
spy agent diplomat minister president governor mayor politician voter citizen baker butcher
carpenter plumber electrician tailor barber chef cook nurse dentist pharmacist psychologist
therapist patient client employee employer worker secretary assistant consultant accountant
analyst programmer designer photographer sculptor novelist historian philosopher economist
physicist chemist biologist mathematician astronomer linguist translator interpreter
librarian tutor principal janitor gardener hunter sailor captain commander general colonel
sergeant lieutenant admiral knight pirate explorer inventor pioneer settler immigrant refugee
protester activist leader follower critic investor owner tenant resident visitor guest
stranger enemy ally rival colleague partner roommate classmate teammate opponent candidate
champion winner loser beginner expert amateur veteran recruit cadet intern apprentice
physician paramedic firefighter ranger sheriff deputy inspector auditor receptionist bartender
courier messenger pedestrian cyclist swimmer runner climber skier boxer wrestler jockey golfer
goalkeeper gymnast comedian magician clown director producer composer conductor pianist
violinist guitarist drummer celebrity pilgrim bishop rabbi imam missionary preacher scholar
dean chancellor delegate ambassador consul official bureaucrat servant peasant merchant
trader dealer vendor shopkeeper grocer jeweler landowner villager shepherd miner builder
laborer warrior archer sentry bodyguard hostage victim survivor orphan toddler teenager adult
infant twin sibling relative ancestor descendant spouse
"""

ANIMALS = """
dog cat horse cow pig goat rabbit mouse|mice rat bird duck goose|geese chicken hen lion tiger
bear wolf|wolves fox elephant monkey giraffe zebra camel donkey mule squirrel owl eagle hawk
parrot pigeon crow swan snake lizard frog turtle spider bee ant butterfly beetle whale dolphin
shark seal penguin kangaroo koala panda leopard cheetah hippo rhino badger beaver otter
hedgehog raccoon puppy kitten calf|calves lamb pony crocodile alligator gorilla chimpanzee
ostrich peacock flamingo octopus lobster crab worm snail mosquito|mosquitoes wasp moth
hamster ferret bull ox|oxen buffalo|buffaloes dragon unicorn jaguar coyote hyena vulture
seagull sparrow robin falcon stork toad
"""

THINGS = """
key cabinet door table chair book car house window box bottle cup plate bowl spoon fork
knife|knives lamp clock phone computer letter picture painting map bag coat shirt shoe hat
ring necklace bracelet wallet coin bell drum guitar piano violin ball toy doll kite bicycle
truck bus|buses train boat ship plane rocket bridge road street tower castle church school
hospital library museum theater office shop store market factory farm garden park forest
river lake mountain hill island village city country building room kitchen bedroom bathroom
wall roof floor ceiling gate fence field tree flower leaf|leaves branch rock stone shell
candle mirror pillow blanket bed sofa desk shelf|shelves drawer envelope package parcel
ticket card poster sign flag banner tent basket bucket barrel jar pot pan kettle oven stove
fridge pipe wire cable rope chain hammer nail screw tool machine engine wheel tire seat belt
button pocket sleeve glove sock boot scarf|scarves umbrella suitcase backpack notebook
pencil pen eraser ruler folder file document report newspaper magazine novel poem story song
film movie game puzzle question answer problem idea plan rule law contract treaty receipt
invoice budget loan debt gift prize medal trophy statue sculpture vase carpet rug curtain
towel soap brush comb razor sponge jacket dress skirt uniform helmet mask shield sword spear
arrow gun cannon tank tractor wagon cart sled canoe yacht submarine helicopter satellite
telescope microscope camera radio television screen keyboard printer battery bulb switch
plug socket cushion ladder shovel bench fountain staircase balcony chimney cottage palace
temple tunnel highway airport station harbor lighthouse windmill barn stable garage
warehouse apartment hotel restaurant cafe bakery pharmacy prison courthouse stadium
classroom laboratory studio gallery hall corridor cellar attic closet diamond pearl crown
jewel ribbon feather blade handle lid cap label tag sticker stamp coupon voucher passport
diary journal dictionary encyclopedia textbook manual catalog brochure pamphlet leaflet
recipe menu calendar schedule portrait photograph sketch drawing diagram chart graph mug
teapot saucer tray napkin tablecloth candlestick chandelier lantern torch flashlight compass
anchor sail mast paddle oar raft ferry barge carriage motorcycle scooter van ambulance taxi
tram trumpet flute harp cello saxophone clarinet accordion banjo microphone postcard scroll
tablet medallion earring brooch locket watch glass|glasses potato|potatoes tomato|tomatoes
volcano|volcanoes apple orange banana lemon cherry grape peach pear melon onion carrot
cabbage pumpkin cake cookie pie sandwich biscuit muffin pancake egg sausage bone planet star
cloud wave storm valley desert beach cave meadow pond stream canal border
"""
