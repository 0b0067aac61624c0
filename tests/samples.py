"""Drafts a model might return, for tests."""

META = ("Learn how to pick running shoes for flat feet: what arch support means, which cushioning helps, "
        "and how to test a pair in the shop before you buy.")


# Enough varied text that a draft meets a medium post's length (800 words asked) and the quality gate.
_SECTIONS = {
    "How flat feet change your stride": (
        "When the arch collapses under load, the ankle rolls inward and the knee follows it. Physiotherapists call "
        "this overpronation, and it is not a disease but a pattern that a good shoe can soften. Many runners never "
        "notice it until their shins or the inside of their knees start to ache after longer sessions. A quick "
        "look at the wear on an old pair tells you a lot: heavy wear on the inner edge of the heel and under the "
        "big toe is the classic sign. Another simple check is the wet footprint test on a dark tile or a sheet of "
        "paper. A print that shows almost the whole sole means a low arch, while a thin band between heel and "
        "forefoot points to a high one."),
    "Stability features that actually help": (
        "Stability shoes add a firmer section of foam on the inner side of the midsole, often in a darker colour. "
        "This medial post slows the inward roll without stopping the natural movement of the foot. Newer designs "
        "use guide rails instead, raised sidewalls that cradle the heel like bumpers on a bowling lane. A wide, "
        "flat base also matters, because a narrow waist under the arch gives the foot nothing to rest on. Look for "
        "a heel counter that does not collapse when you squeeze it between thumb and fingers. Cushioning is a "
        "separate question: soft foam feels lovely in the shop, yet too much of it can let a flat foot sink and "
        "wobble on tired legs."),
    "Fit, sizing and the shop visit": (
        "Feet swell during the day and during a run, so try shoes in the late afternoon or straight after exercise. "
        "Bring the socks you race in and any insoles a podiatrist has prescribed for you. Leave a thumb's width "
        "between your longest toe and the front of the shoe, and make sure the toe box lets your toes spread. "
        "The midfoot should feel held but not squeezed; lacing techniques can fix small gaps. Good running stores "
        "let you jog on a treadmill or on the pavement outside, and some film your gait from behind. Take that "
        "chance, run a few hundred metres in each candidate pair and compare them one after another."),
    "Insoles, orthotics and when to see a specialist": (
        "Off-the-shelf arch supports cost little and help many recreational runners with mild symptoms. Custom "
        "orthotics are moulded to your foot and make sense when pain persists despite sensible shoes. If you use "
        "them, remove the insole that came with the shoe so the fit does not become too tight. Persistent heel "
        "pain in the morning, swelling around the ankle or pain that changes the way you walk deserve a visit to "
        "a sports doctor or podiatrist. They can check for a rigid flat foot, tendon problems or stress fractures, "
        "which no shoe will fix on its own."),
    "Making your new pair last": (
        "Most running shoes keep their support for roughly five hundred to eight hundred kilometres. Foam loses "
        "its spring gradually, so log your distance in a training app rather than waiting for visible damage. "
        "Rotating two pairs gives the midsole time to recover between runs and lets you notice when one of them "
        "feels flat. Dry wet shoes with newspaper instead of a radiator, since heat hardens the glue and the foam. "
        "Finally, replace both shoes at once even if only one looks worn, because uneven support brings back the "
        "very problems you bought them to solve."),
    "Building strength beyond the shoe": (
        "Shoes are only half of the answer. Short daily exercises such as towel scrunches, calf raises on one leg "
        "and balancing barefoot on a cushion train the small muscles that hold up the arch. Ten minutes after "
        "each run is enough to feel a difference within a few weeks. Stronger feet and hips let you cope with "
        "longer distances and make the choice of shoe less critical over time."),
}
LONG_BODY = "".join(f"<h2>{heading}</h2><p>{text}</p>" for heading, text in _SECTIONS.items())


def blog_draft(**overrides) -> dict:
    draft = {
        "title": "Running Shoes for Flat Feet: A Practical Buying Guide",
        "excerpt": "Flat feet need the right support. Here is how to choose running shoes that keep you comfortable.",
        "outline": ["Why flat feet need support", "What to look for", "Testing a pair"],
        "body_html": ("<h2>Why flat feet need support</h2><p>Running shoes for flat feet limit overpronation.</p>"
                      "<h2>What to look for</h2><ul><li>Stability</li><li>Firm midsole</li></ul>"
                      "<h3>Testing a pair</h3><p>Walk, jog and check the heel.</p>" + LONG_BODY),
        "seo_title": "Running Shoes for Flat Feet: How to Choose",
        "meta_desc": META,
    }
    draft.update(overrides)
    return draft


def product_draft(**overrides) -> dict:
    draft = {
        "title": "TrailFlex Stability Running Shoe",
        "short_description": "A light stability shoe with a firm midsole for runners with flat feet.",
        "description_html": "<p>The TrailFlex keeps your stride steady.</p><h3>Features</h3><ul><li>Firm</li></ul>",
        "bullet_features": ["Firm midsole", "Breathable mesh"],
        "seo_title": "TrailFlex Stability Running Shoe for Flat Feet",
        "meta_desc": META,
        "image_alt_text": "Blue TrailFlex running shoe seen from the side",
    }
    draft.update(overrides)
    return draft


def longform_replies(count: int, title: str = "Running Shoes for Flat Feet: What Really Helps") -> list:
    """What a model answers when a post is written section by section: the outline, then each section's text."""
    headings = list(_SECTIONS)[:count]
    return [{"title": title, "outline": headings}, *(_SECTIONS[h].replace(". ", ".\n\n", 1) for h in headings)]


PERSIAN_BODY = (
    "<h2>چرا کفش مناسب مهم است</h2><p>وقتی قوس پا پایین می‌آید، مچ به سمت داخل می‌چرخد و زانو هم دنبال آن می‌رود. "
    "بسیاری از دونده‌ها تا زمانی که ساق یا داخل زانو درد نگیرد متوجه این موضوع نمی‌شوند. نگاهی به کف کفش قدیمی "
    "چیزهای زیادی می‌گوید: سایش زیاد در لبه داخلی پاشنه نشانه رایج صافی کف پا است. آزمایش ساده دیگر، گذاشتن پای "
    "خیس روی کاغذ تیره است تا شکل کامل رد پا دیده شود.</p>"
    "<h2>ویژگی‌هایی که واقعا کمک می‌کنند</h2><p>کفش‌های پایدار در سمت داخلی زیره فوم سفت‌تری دارند که چرخش به "
    "داخل را آهسته می‌کند بدون آنکه حرکت طبیعی پا را متوقف کند. طراحی‌های تازه‌تر به جای آن از دیواره‌های برآمده "
    "استفاده می‌کنند که پاشنه را مثل گهواره نگه می‌دارند. پایه پهن و صاف هم اهمیت دارد، چون کمر باریک زیر قوس "
    "جایی برای تکیه پا باقی نمی‌گذارد. پاشنه‌ای انتخاب کنید که با فشار انگشتان خم نشود.</p>"
    "<h2>اندازه و امتحان در فروشگاه</h2><p>پاها در طول روز و هنگام دویدن متورم می‌شوند، پس کفش را عصر یا بلافاصله "
    "بعد از ورزش امتحان کنید. جوراب‌های مسابقه و کفی‌های طبی خود را همراه ببرید. به اندازه پهنای یک انگشت شست بین "
    "بلندترین انگشت و جلوی کفش فاصله بگذارید و مطمئن شوید انگشتان جای باز شدن دارند. فروشگاه‌های خوب اجازه می‌دهند "
    "روی تردمیل یا پیاده‌رو بدوید؛ از این فرصت استفاده کنید و چند صد متر با هر جفت بدوید و آنها را پشت سر هم "
    "مقایسه کنید. در پایان، هر دو لنگه را با هم عوض کنید حتی اگر فقط یکی فرسوده به نظر برسد، چون پشتیبانی نابرابر "
    "همان مشکلاتی را برمی‌گرداند که برای حلشان کفش خریده بودید. تمرین‌های کوتاه روزانه مانند جمع کردن حوله با "
    "انگشتان، بالا آمدن روی پنجه با یک پا و حفظ تعادل روی بالش عضلات کوچکی را تقویت می‌کنند که قوس پا را نگه "
    "می‌دارند. ده دقیقه تمرین بعد از هر دویدن کافی است تا در چند هفته تفاوت را حس کنید. پاها و لگن قوی‌تر به "
    "شما اجازه می‌دهند مسافت‌های طولانی‌تری را تحمل کنید و انتخاب کفش را به مرور زمان کمتر حساس می‌کنند. اگر درد "
    "پاشنه در صبح ادامه پیدا کرد یا مچ ورم کرد، حتما به پزشک ورزشی یا متخصص پا مراجعه کنید.</p>")
