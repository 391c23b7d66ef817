window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "id_str" : "1",
      "created_at" : "Mon Mar 02 09:30:00 +0000 2026",
      "full_text" : "good"
    }
  },
  {
    "tweet" : {
      "created_at" : "Mon Mar 02 09:31:00 +0000 2026",
      "full_text" : "no id"
    }
  },
  {
    "tweet" : {
      "id_str" : "3",
      "created_at" : "yesterday",
      "full_text" : "bad time"
    }
  }
]
