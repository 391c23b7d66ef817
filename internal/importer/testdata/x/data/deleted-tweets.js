window.YTD.deleted_tweets.part0 = [
  {
    "tweet" : {
      "id_str" : "1885000000000000000",
      "created_at" : "Sun Feb 01 12:00:00 +0000 2026",
      "deleted_at" : "Sun Feb 01 12:05:00 +0000 2026",
      "full_text" : "Tpyo in the parade route, corrected below.",
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>"
    }
  }
]
