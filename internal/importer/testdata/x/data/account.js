window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "comms@springfield.example",
      "createdVia" : "web",
      "username" : "springfieldcity",
      "accountId" : "4400",
      "createdAt" : "2012-05-01T16:00:00.000Z",
      "accountDisplayName" : "Springfield City"
    }
  }
]
