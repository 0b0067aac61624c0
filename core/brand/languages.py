"""Per-language kits for stylometry: function words, pronouns, how text splits into units."""

import re
from dataclasses import dataclass, field

# Sentence-final punctuation across the ten languages (Latin, Arabic-script and CJK).
SENTENCE_END = ".!?…。！？؟"
QUESTION_MARKS = "?？؟"
EXCLAMATION_MARKS = "!！"
ABBREVIATIONS = frozenset("""
e.g i.e etc vs mr mrs ms dr prof st no nr co ltd inc approx fig art abs bzw ca ggf inkl usw vgl zb z.b zzgl
d.h u.a s sr sra srta núm pág p.ej etc cf mme mlle av n sig ecc dott pag
""".split())


@dataclass(frozen=True)
class LanguageKit:
    """How one language is measured.

    mode "words": whitespace/letter tokens compared whole (en de es fr it fa ar);
    mode "eojeol": Korean space-separated words whose particles are matched as endings;
    mode "chars": ja/zh, where markers are found inside the running text and units are characters.
    """

    code: str
    mode: str
    function_words: tuple[str, ...]
    first_person: tuple[str, ...]
    second_person: tuple[str, ...]
    readability: bool = True
    # German formal address ("Sie", "Ihr") is only second person when capitalised mid-sentence.
    formal_second_person: frozenset[str] = field(default_factory=frozenset)

    @property
    def unit(self) -> str:
        return "characters" if self.mode == "chars" else "words"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


KITS: dict[str, LanguageKit] = {
    "en": LanguageKit("en", "words", _words("""
        the a an and or but of to in on at for with by from as that this these those it its is are was were be
        been being not no so if then than which who what when where there here all any some can will would shall
        may must should do does did have has had such each our your you we i my me us he she they their just very
        also about into upon only other herein thereof"""),
        _words("i me my mine myself we us our ours ourselves"),
        _words("you your yours yourself yourselves")),
    "de": LanguageKit("de", "words", _words("""
        der die das den dem des ein eine einen einem einer und oder aber nicht ist sind war wird werden hat haben
        zu in im an am auf für mit von vom bei nach aus als wie dass wenn so auch noch nur schon es sie ich wir du
        ihr man sich mein dein unser euer dieser diese dieses jede jeder sämtliche sowie soweit gemäß bzw was ja mal
        einfach gar"""),
        _words("ich mich mir mein meine meinen meinem meiner wir uns unser unsere unseren unserem"),
        _words("du dich dir dein deine deinen deinem deiner ihr euch euer eure"),
        formal_second_person=frozenset(_words("Sie Ihnen Ihr Ihre Ihren Ihrem Ihrer Ihres"))),
    "es": LanguageKit("es", "words", _words("""
        el la los las un una unos unas y o pero de del a al en con por para que como se no es son fue ser está
        están ha han lo le les su sus mi mis tu tus nuestro nuestra yo tú usted ustedes nosotros muy más también
        ya si cuando donde este esta esto ese esa todo todos cada dicho dicha cual sin sobre entre hasta"""),
        _words("yo me mi mis mío mía conmigo nosotros nosotras nos nuestro nuestra nuestros nuestras"),
        _words("tú te ti tu tus tuyo tuya contigo usted ustedes vosotros vosotras os vuestro vuestra")),
    "fr": LanguageKit("fr", "words", _words("""
        le la les l' un une des du de d' et ou mais à au aux en dans sur pour par avec sans que qu' qui ne n' pas
        est sont était être a ont se s' ce c' cette ces il elle ils nous vous je j' tu on son sa ses notre nos votre
        vos mon ma mes très plus aussi si comme tout tous lequel laquelle dont"""),
        _words("je j' me m' moi mon ma mes nous notre nos"),
        _words("tu te t' toi ton ta tes vous votre vos")),
    "it": LanguageKit("it", "words", _words("""
        il lo la i gli le l' un uno una un' e o ma di a da in con su per tra fra del della dei delle al alla nel
        nella che chi non è sono era essere ha hanno si ci mi ti vi io tu noi voi lei mio tuo nostro vostro suo
        questo questa quello molto più anche se come tutto ogni c' dell' all' nell' qualsiasi"""),
        _words("io me mi mio mia miei mie noi ci nostro nostra nostri nostre"),
        _words("tu te ti tuo tua tuoi tue voi vi vostro vostra lei")),
    "fa": LanguageKit("fa", "words", _words("""
        و در به از که این آن با را برای است هست بود شد می ها های یک تا بر هم نیز اما یا اگر چون ما من شما تو او
        ایشان خود هر همه باید نه نمی چه کرد کند شود دارد ای بی پس"""),
        _words("من ما مان خودم خودمان"),
        _words("شما تو تان خودتان")),
    "ar": LanguageKit("ar", "words", _words("""
        و في من إلى على عن أن إن لا ما هذا هذه ذلك تلك التي الذي الذين كان هو هي نحن أنا أنت أنتم كل مع قد لم لن
        ثم أو بل حتى إذا كما بين عند لقد يجب هناك فقط أي"""),
        _words("أنا نحن لنا لي إننا"),
        _words("أنت أنتم أنتِ لك لكم إليك عليك")),
    "ja": LanguageKit("ja", "chars", _words("""
        の に は を が で と も へ から まで より です ます でした ました である だ ね よ か な こと もの ため など
        および ならびに または 当該 これ それ この その"""),
        _words("私たち 私 わたし 僕 俺 我々 当社"),
        _words("あなた 君 きみ お客様 皆さん みなさん"), readability=False),
    "zh": LanguageKit("zh", "chars", _words("""
        的 了 是 在 和 与 及 或 也 都 就 不 没 有 这 那 个 们 吗 呢 吧 啊 呀 之 其 应当 须 所 为 以 对 于 由 将 被
        把 让 得 地 很 更 最 又 还"""),
        _words("我们 咱们 我 本公司"),
        _words("你们 你 您"), readability=False),
    "ko": LanguageKit("ko", "eojeol", _words("""
        은 는 이 가 을 를 에 의 도 로 으로 와 과 에서 에게 하고 요 니다 습니다 어요 해요 그리고 하지만 또는 및 것
        수 등 때 경우 있다 없다 한다"""),
        _words("저는 저를 저의 제가 저희 우리 나는 내가 나를 나의"),
        _words("당신 여러분 고객님 너는 네가 너를"), readability=False),
}

_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
_PERSIAN_LETTERS = re.compile(r"[پچژگکی]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def kit(code: str) -> LanguageKit:
    """The kit for a language code (English for an unknown one)."""
    return KITS.get(code, KITS["en"])


def detect_language(text: str) -> str:
    """A best guess among the ten languages, from script and then function-word hits."""
    sample = text[:4000]
    if _HANGUL.search(sample):
        return "ko"
    if _KANA.search(sample):
        return "ja"
    if _HAN.search(sample):
        return "zh"
    if _ARABIC_SCRIPT.search(sample):
        return "fa" if len(_PERSIAN_LETTERS.findall(sample)) > 3 else "ar"
    tokens = [t.lower() for t in re.findall(r"\w+'?", sample)]
    if not tokens:
        return "en"
    scores = {code: sum(t in set(k.function_words) for t in tokens)
              for code, k in KITS.items() if code in {"en", "de", "es", "fr", "it"}}
    return max(scores, key=scores.get)
